// The ordered chain of credential sources configured in credential_sources: the engine's
// CredentialProvider when credentials come from plugins.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "boxtool/credentials.hpp"
#include "boxtool/error.hpp"
#include "plugin_instance.hpp"

namespace boxtool::plugins {

// One entry of credential_sources.
struct SourceConfig {
    std::string plugin;                   // a plugin name (NAME.so in the search folders) or a path
    std::vector<std::string> registries;  // host globs (fnmatch, case-insensitive); empty: all
    std::string settings_json;            // the whole entry, handed to the plugin's create
};

// What credential_sources is when the config has none: the docker-config source alone.
std::vector<SourceConfig> default_credential_sources();

class CredentialChain final : public CredentialProvider {
  public:
    // Loads and creates every source, in order. Throws Failure(Plugin/Config) for the first
    // source that cannot be loaded or created, naming its file.
    CredentialChain(const std::vector<SourceConfig>& sources,
                    const std::vector<std::filesystem::path>& search_dirs, PluginLog log = {});

    // The first source whose registries match and that has credentials wins; "not found" moves
    // on; a real failure is thrown (Failure kind Plugin). Answers, failures included, are cached
    // for the chain's lifetime, so a helper runs once per registry and repository per pull.
    std::optional<Credential> lookup(std::string_view registry, std::string_view repository) override;
    std::vector<std::string> describe_sources() const override;

    std::size_t size() const noexcept { return sources_.size(); }

  private:
    struct Source {
        std::unique_ptr<PluginInstance> instance;
        std::vector<std::string> registries;
    };
    struct CachedAnswer {
        std::optional<Credential> credential;
        std::optional<Error> error;
    };
    std::vector<Source> sources_;
    mutable std::mutex mutex_;
    std::map<std::string, CachedAnswer> cache_;
};

// True when `registry` matches one of `globs` (all match when `globs` is empty). A glob without
// wildcards is compared after registry normalization, so "index.docker.io" matches "docker.io".
bool registry_matches(const std::vector<std::string>& globs, std::string_view registry);

}  // namespace boxtool::plugins
