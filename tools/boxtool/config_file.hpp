// The JSON configuration file (--config). Read by the command line only: the library takes options.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "boxtool/credential_chain.hpp"
#include "boxtool/error.hpp"
#include "boxtool/network.hpp"

namespace boxtool::cli {

// "credential_links": [{"images": ["ghcr.io/org/*"], "credential": "NAME-OR-ID"}]: images whose
// registry/repository matches a glob use that stored credential, even when other entries match.
struct CredentialLink {
    std::vector<std::string> images;  // globs over "registry/repository" (normalized, docker.io/library/x)
    std::string credential;           // a name, id or id prefix in the encrypted store
    std::string origin;               // where the link was written, for messages
};

struct ConfigFile {
    std::vector<std::string> image_registries;
    std::vector<std::string> insecure_registries;
    std::vector<std::string> plain_http_registries;
    std::vector<std::string> extra_root_certificates;  // PEM text
    std::vector<std::filesystem::path> certs_dirs;     // relative ones resolved against the file's folder
    std::filesystem::path store;  // empty: not set; relative paths resolve against the file's folder
    std::vector<std::filesystem::path> plugin_dirs;  // relative paths resolve against the file's folder
    // Absent: the default chain (docker-config). Present, even empty: exactly these sources.
    std::optional<std::vector<plugins::SourceConfig>> credential_sources;
    // A Lua policy script ("policy"); empty: not set; relative paths resolve as for store.
    std::filesystem::path policy;
    std::vector<CredentialLink> credential_links;
    // "proxy": "http://HOST:PORT" (both schemes) or {"https": URL, "http": URL, "no_proxy": "a,b" or
    // ["a", "b"], "loopback": true}. What it sets wins over HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
    ProxyOptions proxy;
    // The signature policy ("signature_policy"): a containers-policy.json file (relative paths resolve
    // as for store) or a kbs:// resource released by the kbs credential source. Empty: not set.
    std::string signature_policy;
    // The registries.d folder for signature lookaside locations ("registries_d"); empty: not set.
    std::filesystem::path registries_d;
};

// The keys a config file may hold, for "did you mean" and the README.
const std::vector<std::string>& config_file_keys();

// Throws Failure(Config) for a missing, unreadable or malformed file, naming the file and the key;
// an unknown key is an error too (with the closest known key), so a typo never goes unnoticed.
ConfigFile load_config_file(const std::filesystem::path& path);

}  // namespace boxtool::cli
