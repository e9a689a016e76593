/// \file
/// Which certificates a registry's TLS connection is checked against beyond the system trust store,
/// and which client certificate it presents. Verification itself is always on, except for
/// registries listed as insecure (EngineOptions::insecure_registries).
///
///     boxtool::EngineOptions options;
///     options.tls.ca_files = {"/etc/app/internal-ca.pem"};
///     options.tls.certs_dirs = boxtool::default_certs_dirs();   // docker's and podman's certs.d
#pragma once

#include <filesystem>
#include <string>
#include <vector>
#include "boxtool/export.hpp"

namespace boxtool {

struct TlsOptions {
    /// Root certificates trusted for every registry, as PEM text (one or more CERTIFICATE blocks
    /// each): the config file's "extra_root_certificates".
    std::vector<std::string> extra_root_certificates;
    /// PEM files of root certificates trusted for every registry (--ca-file).
    std::vector<std::filesystem::path> ca_files;
    /// Folders laid out as docker's and podman's certs.d: ROOT/HOST[:PORT]/*.crt are CAs trusted for
    /// that registry, ROOT/HOST[:PORT]/NAME.cert with NAME.key its client certificate. Searched in
    /// order; the first ROOT holding a folder for the registry is used alone, as containers/image
    /// does. The engine searches exactly these: add default_certs_dirs() to use the system ones.
    std::vector<std::filesystem::path> certs_dirs;
};

/// The certs.d folders docker and podman use, in containers/image's order:
/// $HOME/.config/containers/certs.d, /etc/containers/certs.d, /etc/docker/certs.d.
BOXTOOL_API std::vector<std::filesystem::path> default_certs_dirs();

}  // namespace boxtool
