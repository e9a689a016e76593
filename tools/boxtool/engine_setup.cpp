#include "engine_setup.hpp"
#include "terminal_text.hpp"

#include <cstdio>

#include "boxtool/lua_policy.hpp"
#include "config_file.hpp"
#include "credential_input.hpp"
#include "credential_sources.hpp"
#include "debug_log.hpp"
#include "signature_setup.hpp"
#include "tls_setup.hpp"

namespace boxtool::cli {

FlagSpec registry_flags() {
    return FlagSpec{
        {"--registry", "--insecure-registry", "--plain-http", "--config", "--store", "--platform", "--creds",
         "--credential", "--credential-store", "--connect-timeout", "--timeout", "--retries", "--speed-limit",
         "--speed-time", "--max-time", "--policy", "--ca-file", "--signature-policy", "--registries.d"},
        {"--password-stdin", "--insecure-policy", "--debug"}};
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

namespace {

// Config and flags, without credentials.
Setup base_setup(const Args& args) {
    Setup s;
    ConfigFile& cfg = s.config;
    if (auto path = args.last("--config")) cfg = load_config_file(*path);
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
    s.engine.plain_http_registries = args.all("--plain-http");
    for (const auto& r : cfg.plain_http_registries) s.engine.plain_http_registries.push_back(r);
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
    if (auto v = args.last("--speed-limit"))
        s.engine.min_transfer_rate = static_cast<std::uint64_t>(parse_int("--speed-limit", *v, 0, 1 << 30));
    if (auto v = args.last("--speed-time"))
        s.engine.stall_time = std::chrono::seconds(parse_int("--speed-time", *v, 1, 3600));
    if (auto v = args.last("--max-time"))
        s.engine.request_deadline = std::chrono::seconds(parse_int("--max-time", *v, 0, 7 * 24 * 3600));
    s.engine.proxy = cfg.proxy;  // the config's proxies first; the environment fills the rest
    if (debug_wanted(args)) s.engine.log = debug_log(args.last("--progress") == "json");
    // --policy overrides the config file's "policy"; a script that cannot be read stops here.
    std::filesystem::path policy = args.last("--policy").value_or(cfg.policy.string());
    if (!policy.empty()) {
        s.engine.policy = lua::LuaPolicy::from_file(policy).value();
        s.policy_name = policy.string();
    }
    s.store = std::make_shared<StoreAccess>(credential_store_path(args.last("--credential-store")));
    return s;
}

// The layers, in order: the command line's credentials, then links, then the chain. Then the
// signature policy: a kbs:// policy is released through the chain.
void attach_credentials(Setup& s, const Args& args, std::shared_ptr<CredentialProvider> from_flags,
                        std::vector<CredentialLink> links) {
    if (!links.empty()) s.links = std::make_shared<LinkedCredentials>(std::move(links), s.store);
    auto chain = credential_chain_from_config(s.config, s.store->path());
    std::vector<std::shared_ptr<CredentialProvider>> layers;
    for (auto& layer : {from_flags, std::shared_ptr<CredentialProvider>(s.links), chain})
        if (layer) layers.push_back(layer);
    if (layers.size() == 1)
        s.engine.credentials = layers.front();
    else if (!layers.empty())
        s.engine.credentials = std::make_shared<LayeredCredentialProvider>(std::move(layers));
    auto trust = signature_setup(args, s.config, chain);
    s.engine.signature_policy = trust.policy;
    s.engine.registries_d = trust.registries_d;
    s.signature_policy_name = trust.policy_name;
}

}  // namespace

std::vector<std::string> registries_for(const Reference& reference, const EngineOptions& engine) {
    if (reference.qualified) return {reference.registry};
    if (engine.search_registries.empty()) return {std::string(kDockerHub)};
    return engine.search_registries;
}

Setup make_plain_setup(const Args& args) {
    return base_setup(args);
}

Setup make_setup(const Args& args, const Reference& reference) {
    Setup s = base_setup(args);
    // Credentials offered by flags go only to the registries `reference` can be pulled from.
    std::vector<std::string> scope = registries_for(reference, s.engine);
    auto named = args.last("--credential");
    if (named && args.has("--creds"))
        throw Failure(ErrorKind::InvalidArgument, "--creds and --credential both choose credentials",
                      "use one of them");
    std::shared_ptr<CredentialProvider> from_flags;
    if (auto cred = credential_from_flags(args.last("--creds"), args.has("--password-stdin")))
        from_flags = std::make_shared<StaticCredentialProvider>(std::move(*cred), scope);
    else if (named)
        from_flags = stored_credential(*named, *s.store, scope);
    attach_credentials(s, args, from_flags, s.config.credential_links);
    // A link for this image that names nothing usable stops here, before any registry is contacted.
    if (s.links && !from_flags)
        for (const auto& registry : scope)
            if (auto ref = parse_reference(registry + "/" + reference.repository))
                if (const auto* link = s.links->link_for(ref->registry, ref->repository))
                    s.links->check(*link);
    return s;
}

Setup make_stack_setup(
    const Args& args, const std::function<std::vector<CredentialLink>(const EngineOptions&)>& service_links) {
    if (args.has("--creds") || args.has("--credential") || args.has("--password-stdin"))
        throw Failure(ErrorKind::InvalidArgument,
                      "--creds and --credential choose one credential for one image; a compose stack has "
                      "several",
                      "name a stored credential per service with x-boxtool-credential, list links in the "
                      "config's credential_links, or let the credential chain find them");
    Setup s = base_setup(args);
    auto links = service_links(s.engine);
    for (const auto& link : s.config.credential_links) links.push_back(link);
    attach_credentials(s, args, nullptr, std::move(links));
    return s;
}

}  // namespace boxtool::cli
