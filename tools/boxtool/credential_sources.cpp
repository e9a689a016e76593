#include "credential_sources.hpp"

#include <cstdio>

#include "boxtool/credential_chain.hpp"
#include "credential_input.hpp"
#include "credential_store.hpp"

namespace boxtool::cli {

std::shared_ptr<CredentialProvider> credential_chain_from_config(const ConfigFile& config) {
    auto log = [](bool warning, const std::string& line) {
        std::fprintf(stderr, "boxtool: %s%s\n", warning ? "warning: " : "", line.c_str());
    };
    auto dirs = plugins::plugin_search_dirs(config.plugin_dirs);
    if (config.credential_sources) {
        if (config.credential_sources->empty()) return nullptr;
        return plugins::CredentialChain::load(*config.credential_sources, dirs, log).value();
    }
    auto chain = plugins::CredentialChain::load(plugins::default_credential_sources(), dirs, log);
    if (!chain) {
        std::fprintf(stderr, "boxtool: warning: the default credential source is unavailable: %s\n",
                     chain.error().message.c_str());
        return nullptr;
    }
    return *chain;
}

std::filesystem::path credential_store_path(const std::optional<std::string>& flag) {
    if (flag) return *flag;
    return plugins::CredentialStore::default_path();
}

std::shared_ptr<CredentialProvider> stored_credential(const std::string& name_or_id,
                                                      const std::filesystem::path& store_path,
                                                      std::vector<std::string> registries) {
    std::error_code ec;
    if (!std::filesystem::exists(store_path, ec))
        throw Failure(
            ErrorKind::InvalidArgument,
            "--credential " + name_or_id + ": there is no credential store at " + store_path.string(),
            "add one with: boxtool registry add NAME --server HOST --username USER");
    try {
        plugins::StoreKeyOptions options;
        options.ask_passphrase = [&] {
            return prompt_secret("Passphrase for " + store_path.string() + ": ");
        };
        auto store = plugins::CredentialStore::open(store_path, plugins::resolve_store_key(options));
        const auto* entry = store.find(name_or_id);
        if (!entry)
            throw Failure(ErrorKind::InvalidArgument,
                          "--credential: no entry named \"" + name_or_id + "\" in " + store_path.string(),
                          "see the entries with: boxtool registry list");
        if (!entry->enabled)
            throw Failure(ErrorKind::InvalidArgument,
                          "--credential: entry \"" + entry->name + "\" is disabled",
                          "enable it with: boxtool registry update " + entry->name + " --enable");
        Credential c;
        c.username = entry->username;
        c.password = Secret(entry->password);
        c.source = "--credential " + entry->name + " (" + store_path.string() + ")";
        return std::make_shared<StaticCredentialProvider>(std::move(c), std::move(registries));
    } catch (const std::runtime_error& e) {
        if (dynamic_cast<const Failure*>(&e)) throw;
        throw Failure(ErrorKind::Plugin, e.what(),
                      "check the store's key (BOXTOOL_STORE_KEY, BOXTOOL_STORE_KEY_FILE "
                      "or BOXTOOL_STORE_PASSPHRASE) and the file's permissions");
    }
}

}  // namespace boxtool::cli
