// A source's entry in credential_sources, as the plugin reads its own settings from it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boxtool::plugins {

class Settings {
  public:
    // Throws std::runtime_error when `json` is not a JSON object.
    explicit Settings(const std::string& json);
    ~Settings();
    // Each throws std::runtime_error naming the key when it is present with the wrong type.
    std::optional<std::string> string(const std::string& key) const;
    std::optional<long long> integer(const std::string& key) const;
    std::optional<bool> boolean(const std::string& key) const;
    std::optional<std::vector<std::string>> strings(const std::string& key) const;

    // Throws std::runtime_error naming the first key that is neither in `known` nor one the chain
    // itself reads ("plugin", "registries"), with a "did you mean" when a known key is close: a
    // misspelt setting must not be silently ignored (a "timeuot" would leave the default in force).
    void reject_unknown(const std::vector<std::string>& known) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace boxtool::plugins
