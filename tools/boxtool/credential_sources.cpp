#include "credential_sources.hpp"
#include "terminal_text.hpp"

#include <Poco/JSON/Object.h>

#include <cstdio>
#include <sstream>

#include "boxtool/credential_chain.hpp"
#include "credential_input.hpp"
#include "credential_store.hpp"

namespace boxtool::cli {

std::shared_ptr<CredentialProvider> credential_chain_from_config(const ConfigFile& config,
                                                                 const std::filesystem::path& store_path) {
    auto log = [](bool warning, const std::string& line) {
        // A plugin's log line is text from outside: escaped before it reaches the terminal.
        std::fprintf(stderr, "boxtool: %s%s\n", warning ? "warning: " : "", printable(line).c_str());
    };
    auto dirs = plugins::plugin_search_dirs(config.plugin_dirs);
    if (config.credential_sources) {
        if (config.credential_sources->empty()) return nullptr;
        return plugins::CredentialChain::load(*config.credential_sources, dirs, log).value();
    }
    // A default source that cannot be loaded costs only itself: pulls of public images go on.
    // Saved credentials just work: `boxtool registry add` then `boxtool pull`.
    auto sources = plugins::default_credential_sources(store_path);
    auto chain = plugins::CredentialChain::load(sources, dirs, log);
    if (chain) return *chain;
    std::vector<plugins::SourceConfig> usable;
    for (auto& source : sources) {
        if (auto alone = plugins::CredentialChain::load({source}, dirs, log); !alone) {
            std::fprintf(stderr, "boxtool: warning: the default credential source %s is unavailable: %s\n",
                         printable(source.plugin, false).c_str(), printable(alone.error().message).c_str());
            continue;
        }
        usable.push_back(std::move(source));
    }
    if (usable.empty()) return nullptr;
    chain = plugins::CredentialChain::load(usable, dirs, log);
    if (!chain) {
        std::fprintf(stderr, "boxtool: warning: the default credential sources are unavailable: %s\n",
                     printable(chain.error().message).c_str());
        return nullptr;
    }
    return *chain;
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
