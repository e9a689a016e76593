// One configured credential source: an instance a plugin created from its settings.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "boxtool/credential_chain.hpp"
#include "boxtool/credentials.hpp"
#include "plugin_library.hpp"

namespace boxtool::plugins {

class PluginInstance {
  public:
    // Calls the plugin's create with `settings_json`. Throws Failure(Plugin) naming the file when
    // create fails or throws.
    PluginInstance(std::shared_ptr<PluginLibrary> library, const std::string& settings_json,
                   PluginLog log = {});
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    // Found: a credential whose `source` is what the plugin said (file and key, helper...).
    // Not found: nothing. A plugin error, or an answer that breaks the contract (no secret, a
    // username with ':' or control characters, oversized fields), throws Failure(Plugin).
    std::optional<Credential> get(std::string_view registry, std::string_view repository);
    // The plugin's own description of where it looks, or "".
    std::string describe();
    // ABI 1.1: the resource named `uri` with where it came from, or nothing when this source does not
    // serve it (or predates get_resource). A plugin error or a broken answer throws Failure(Plugin).
    struct Resource {
        std::string bytes;
        std::string source;
    };
    std::optional<Resource> get_resource(std::string_view uri);

    const PluginLibrary& library() const noexcept { return *library_; }

  private:
    struct LogTarget {
        PluginLog log;
    };
    std::shared_ptr<PluginLibrary> library_;
    std::unique_ptr<LogTarget> log_target_;  // stable address handed to the plugin as host_data
    void* instance_ = nullptr;
    std::mutex mutex_;  // the ABI promises one call at a time per instance
};

}  // namespace boxtool::plugins
