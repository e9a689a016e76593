#include "engine_setup.hpp"

#include <cstdio>

#include "boxtool/lua_policy.hpp"
#include "config_file.hpp"
#include "credential_input.hpp"
#include "credential_sources.hpp"
#include "signature_setup.hpp"
#include "tls_setup.hpp"

namespace boxtool::cli {

FlagSpec registry_flags() {
    return FlagSpec{{"--registry", "--insecure-registry", "--config", "--store", "--platform", "--creds",
                     "--credential", "--credential-store", "--connect-timeout", "--timeout", "--retries",
                     "--policy", "--ca-file", "--signature-policy", "--registries.d"},
                    {"--password-stdin", "--insecure-policy"}};
}

namespace {
int parse_int(const std::string& flag, const std::string& text, int min, int max) {
    try {
        std::size_t used = 0;
        int v = std::stoi(text, &used);
        if (used == text.size() && v >= min && v <= max) return v;
    } catch (...) {
    }
    throw Failure(ErrorKind::InvalidArgument, flag + " must be a whole number from " + std::to_string(min) +
                                                  " to " + std::to_string(max) + ", got \"" + text + "\"");
}
}  // namespace

Setup make_setup(const Args& args, const Reference& reference) {
    Setup s;
    ConfigFile cfg;
    if (auto path = args.last("--config")) {
        cfg = load_config_file(*path);
        for (const auto& key : cfg.unknown_keys)
            std::fprintf(stderr, "boxtool: warning: config key \"%s\" in %s is not used by this version\n",
                         key.c_str(), path->c_str());
    }
    // Flags first, then the config file: the command line is the more specific wish.
    for (const auto& r : args.all("--registry")) {
        auto probe = parse_reference(r + "/x");
        if (!probe || !probe->qualified)
            throw Failure(ErrorKind::InvalidArgument,
                          "--registry \"" + r + "\" is not a registry host (HOST or HOST:PORT)");
        s.engine.search_registries.push_back(r);
    }
    for (const auto& r : cfg.image_registries) s.engine.search_registries.push_back(r);
    s.engine.insecure_registries = args.all("--insecure-registry");
    for (const auto& r : cfg.insecure_registries) s.engine.insecure_registries.push_back(r);
    s.engine.tls = tls_options(args, cfg);
    if (auto store = args.last("--store"))
        s.engine.store_root = *store;
    else if (!cfg.store.empty())
        s.engine.store_root = cfg.store;
    if (auto p = args.last("--platform")) s.platform = parse_platform(*p).value();
    if (auto t = args.last("--connect-timeout"))
        s.engine.connect_timeout = std::chrono::seconds(parse_int("--connect-timeout", *t, 1, 600));
    if (auto t = args.last("--timeout"))
        s.engine.io_timeout = std::chrono::seconds(parse_int("--timeout", *t, 1, 3600));
    if (auto r = args.last("--retries")) s.engine.retries = parse_int("--retries", *r, 0, 10);
    // --policy overrides the config file's "policy"; a script that cannot be read stops here.
    std::filesystem::path policy = args.last("--policy").value_or(cfg.policy.string());
    if (!policy.empty()) {
        s.engine.policy = lua::LuaPolicy::from_file(policy).value();
        s.policy_name = policy.string();
    }
    // Credentials offered by flags go only to the registries `reference` can be pulled from.
    std::vector<std::string> scope;
    if (reference.qualified)
        scope.push_back(reference.registry);
    else if (s.engine.search_registries.empty())
        scope.emplace_back(kDockerHub);
    else
        scope = s.engine.search_registries;
    auto named = args.last("--credential");
    if (named && args.has("--creds"))
        throw Failure(ErrorKind::InvalidArgument, "--creds and --credential both choose credentials",
                      "use one of them");
    std::shared_ptr<CredentialProvider> from_flags;
    if (auto cred = credential_from_flags(args.last("--creds"), args.has("--password-stdin")))
        from_flags = std::make_shared<StaticCredentialProvider>(std::move(*cred), scope);
    else if (named)
        from_flags = stored_credential(*named, credential_store_path(args.last("--credential-store")), scope);
    // The command line wins over the chain; the chain answers for everything else.
    auto chain = credential_chain_from_config(cfg);
    if (from_flags && chain)
        s.engine.credentials = std::make_shared<LayeredCredentialProvider>(
            std::vector<std::shared_ptr<CredentialProvider>>{from_flags, chain});
    else
        s.engine.credentials = from_flags ? from_flags : chain;
    // The signature policy last: a kbs:// policy is released through the credential chain.
    auto trust = signature_setup(args, cfg, chain);
    s.engine.signature_policy = trust.policy;
    s.engine.registries_d = trust.registries_d;
    s.signature_policy_name = trust.policy_name;
    return s;
}

}  // namespace boxtool::cli
