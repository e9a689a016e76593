// Per-registry certificate folders as docker and podman lay them out (certs.d/HOST[:PORT]/):
// *.crt are CA certificates, NAME.cert with NAME.key a client certificate.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace boxtool::http {

struct HostCertificates {
    std::filesystem::path dir;                    // ROOT/HOST[:PORT]
    std::vector<std::filesystem::path> ca_files;  // *.crt, in name order
    std::filesystem::path client_cert;            // the first NAME.cert in name order; empty: none
    std::filesystem::path client_key;             // its NAME.key
};

// The folder for `host` ("HOST" or "HOST:PORT", as the registry is named) in the first root that
// has one, as containers/image picks it: later roots are not merged in. Nothing when no root has
// one. Throws Failure(Config) for a NAME.cert without NAME.key or the other way round (docker
// refuses those too), or a folder that cannot be read.
std::optional<HostCertificates> find_host_certificates(const std::vector<std::filesystem::path>& roots,
                                                       const std::string& host);

}  // namespace boxtool::http
