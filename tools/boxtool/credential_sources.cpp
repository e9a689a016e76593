#include "credential_sources.hpp"

#include <Poco/JSON/Object.h>

#include <cstdio>
#include <sstream>

#include "credential_store.hpp"
#include "plugin_search.hpp"

namespace boxtool::cli {

std::vector<plugins::SourceConfig> default_chain_sources(const std::filesystem::path& store_path) {
    std::vector<plugins::SourceConfig> sources;
    std::error_code ec;
    if (std::filesystem::exists(store_path, ec)) {
        // Saved credentials just work: `boxtool registry add` then `boxtool pull`. The store asks for
        // its key only when its index has an entry for the registry (see credential_store.hpp).
        Poco::JSON::Object settings(Poco::JSON_PRESERVE_KEY_ORDER);
        settings.set("plugin", "encrypted-store");
        settings.set("path", store_path.string());
        std::ostringstream json;
        settings.stringify(json);
        sources.push_back({"encrypted-store", {}, json.str()});
    }
    for (auto& source : plugins::default_credential_sources()) sources.push_back(std::move(source));
    return sources;
}

std::shared_ptr<CredentialProvider> credential_chain_from_config(const ConfigFile& config,
                                                                 const std::filesystem::path& store_path) {
    auto log = [](bool warning, const std::string& line) {
        std::fprintf(stderr, "boxtool: %s%s\n", warning ? "warning: " : "", line.c_str());
    };
    auto dirs = plugins::plugin_search_dirs(config.plugin_dirs);
    if (config.credential_sources) {
        if (config.credential_sources->empty()) return nullptr;
        return std::make_shared<plugins::CredentialChain>(*config.credential_sources, dirs, log);
    }
    // The default sources one by one, so a missing plugin costs only itself.
    std::vector<plugins::SourceConfig> usable;
    for (auto& source : default_chain_sources(store_path)) {
        try {
            plugins::find_plugin(source.plugin, dirs);
            usable.push_back(std::move(source));
        } catch (const Failure& f) {
            std::fprintf(stderr, "boxtool: warning: the default credential source %s is unavailable: %s\n",
                         source.plugin.c_str(), f.error().message.c_str());
        }
    }
    if (usable.empty()) return nullptr;
    try {
        return std::make_shared<plugins::CredentialChain>(usable, dirs, log);
    } catch (const Failure& f) {
        std::fprintf(stderr, "boxtool: warning: the default credential sources are unavailable: %s\n",
                     f.error().message.c_str());
        return nullptr;
    }
}

std::filesystem::path credential_store_path(const std::optional<std::string>& flag) {
    if (flag) return *flag;
    return plugins::CredentialStore::default_path();
}

std::shared_ptr<CredentialProvider> stored_credential(const std::string& name_or_id, StoreAccess& store,
                                                      std::vector<std::string> registries) {
    auto entry = store.entry(name_or_id, "--credential");
    auto credential = store.credential(entry, "--credential");
    credential.source = "--credential " + entry.name + " (" + store.path().string() + ")" +
                        (entry.backend == "local" ? "" : " via " + plugins::describe_backend(entry));
    return std::make_shared<StaticCredentialProvider>(std::move(credential), std::move(registries));
}

}  // namespace boxtool::cli
