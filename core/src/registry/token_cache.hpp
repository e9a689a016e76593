// Bearer tokens cached per registry, scope and identity until shortly before they expire.
// Shared by every candidate and download thread of an engine.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "boxtool/secret.hpp"

namespace boxtool::registry {

class TokenCache {
  public:
    using Clock = std::chrono::steady_clock;
    std::optional<Secret> get(const std::string& key) const;
    void put(const std::string& key, Secret token, std::chrono::seconds lifetime);
    void invalidate(const std::string& key);

  private:
    struct Entry {
        Secret token;
        Clock::time_point expires;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
};

}  // namespace boxtool::registry
