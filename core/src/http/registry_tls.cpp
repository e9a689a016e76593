#include "http/registry_tls.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "boxtool/error.hpp"
#include "http/certs_dir.hpp"
#include "http/tls_trust.hpp"

namespace boxtool {

std::vector<std::filesystem::path> default_certs_dirs() {
    std::vector<std::filesystem::path> dirs;
    if (const char* home = std::getenv("HOME"); home && *home)
        dirs.push_back(std::filesystem::path(home) / ".config/containers/certs.d");
    dirs.emplace_back("/etc/containers/certs.d");
    dirs.emplace_back("/etc/docker/certs.d");
    return dirs;
}

namespace http {
namespace {

constexpr std::size_t kMaxCaFile = 4 * 1024 * 1024;

std::string read_ca_file(const std::filesystem::path& path, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Failure(ErrorKind::Config, "cannot read " + what + " " + path.string(),
                      "check that the file exists and is readable");
    std::string text(kMaxCaFile + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxCaFile)
        throw Failure(ErrorKind::Config, what + " " + path.string() + " is larger than 4 MiB",
                      "give a PEM file of CA certificates");
    return text;
}

void add_root(TlsSettings& tls, std::string pem, std::string origin) {
    if (count_pem_certificates(pem) == 0)
        throw Failure(ErrorKind::Config, origin + " holds no PEM certificate",
                      "give CA certificates as PEM text (-----BEGIN CERTIFICATE----- ...)");
    tls.extra_roots.push_back(std::move(pem));
    tls.extra_root_origins.push_back(std::move(origin));
}

}  // namespace

TlsSettings tls_settings_for(const std::string& registry, const TlsOptions& options, bool insecure) {
    TlsSettings tls;
    tls.verify = !insecure;
    for (std::size_t i = 0; i < options.extra_root_certificates.size(); ++i)
        add_root(tls, options.extra_root_certificates[i],
                 "extra_root_certificates[" + std::to_string(i) + "]");
    for (const auto& file : options.ca_files)
        add_root(tls, read_ca_file(file, "CA file"), "CA file " + file.string());
    if (auto host = find_host_certificates(options.certs_dirs, registry)) {
        tls.certs_dir = host->dir.string();
        for (const auto& file : host->ca_files)
            add_root(tls, read_ca_file(file, "CA certificate"), "CA certificate " + file.string());
        tls.client_certificate = host->client_cert.string();
        tls.client_key = host->client_key.string();
    }
    return tls;
}

}  // namespace http
}  // namespace boxtool
