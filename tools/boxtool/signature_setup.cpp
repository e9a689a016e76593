#include "signature_setup.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "boxtool/credential_chain.hpp"

namespace boxtool::cli {
namespace {

bool is_kbs(const std::string& text) {
    return text.rfind("kbs://", 0) == 0;
}

// A kbs:// resource, released by the first credential source that serves it (the kbs plugin, after
// attestation).
std::string released_resource(const std::string& uri, const std::shared_ptr<CredentialProvider>& credentials,
                              const char* what) {
    auto chain = std::dynamic_pointer_cast<plugins::CredentialChain>(credentials);
    if (!chain)
        throw Failure(
            ErrorKind::Config,
            std::string(what) + " " + uri + " is a KBS resource, but no credential source is configured",
            "add the kbs source to credential_sources in the config file (see the README's "
            "\"Confidential Containers KBS\")");
    auto found = chain->fetch_resource(uri);
    if (!found) throw Failure(std::move(found).error());
    if (!*found)
        throw Failure(ErrorKind::Config,
                      std::string(what) + " " + uri + ": no credential source serves this resource",
                      "configure the kbs source (credential_sources) for the KBS that holds it");
    return std::move(**found);
}

Result<std::string> read_key_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{ErrorKind::Config, "cannot read key file " + path};
    std::string text(1024 * 1024 + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > 1024 * 1024)
        return Error{ErrorKind::Config, "key file " + path + " is larger than 1 MiB"};
    return text;
}

}  // namespace

SignatureSetup signature_setup(const Args& args, const ConfigFile& config,
                               const std::shared_ptr<CredentialProvider>& credentials) {
    SignatureSetup s;
    if (args.has("--insecure-policy")) {
        std::fprintf(stderr,
                     "boxtool: warning: --insecure-policy: no signature policy is applied; any image is "
                     "accepted, signed or not\n");
        return s;
    }
    std::string source = args.last("--signature-policy").value_or(config.signature_policy);
    if (source.empty()) {
        for (const auto& path : default_signature_policy_paths()) {
            std::error_code ec;
            if (std::filesystem::exists(path, ec)) {
                source = path.string();
                break;
            }
        }
        if (source.empty()) return s;
    }
    ContainersPolicyOptions options;
    options.read_key = [credentials](const std::string& path) -> Result<std::string> {
        if (!is_kbs(path)) return read_key_file(path);
        try {
            return released_resource(path, credentials, "keyPath");
        } catch (const Failure& f) {
            return f.error();
        }
    };
    if (is_kbs(source))
        s.policy = ContainersPolicy::from_json(released_resource(source, credentials, "signature_policy"),
                                               source, options)
                       .value();
    else
        s.policy = ContainersPolicy::from_file(source, options).value();
    s.policy_name = source;

    std::filesystem::path dir = RegistriesD::default_dir();
    if (auto flag = args.last("--registries.d"))
        dir = *flag;
    else if (!config.registries_d.empty())
        dir = config.registries_d;
    s.registries_d = std::make_shared<const RegistriesD>(RegistriesD::load(dir).value());
    return s;
}

}  // namespace boxtool::cli
