// Throwaway X.509 certificates for TLS test servers, made with the openssl CLI (EC P-256 keys,
// unencrypted): a CA, and server certificates it signs, valid or expired, for the right name or not.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace boxtool::harness {

struct Certificate {
    std::filesystem::path cert;  // PEM; a CA's alone is a trust bundle (SSL_CERT_FILE)
    std::filesystem::path key;   // PEM
};

struct ServerCertificateOptions {
    // subjectAltName entries in openssl's syntax ("IP:127.0.0.1", "DNS:wrong.example"); the
    // subject's CN is the first one's value.
    std::vector<std::string> names = {"IP:127.0.0.1"};
    bool expired = false;              // valid for a day in 2020 instead of for `days` days from now
    int days = 30;                     // validity from now (the conformance checks warn under 30)
    std::string usage = "serverAuth";  // extendedKeyUsage: "clientAuth" for a client certificate
};

// A self-signed CA certificate, subject "CN=<name>", as DIR/<name>.pem and DIR/<name>.key.
// `name` is a file name: letters, digits, '.', '_' and '-'. Throws std::runtime_error with
// openssl's output if it fails.
Certificate make_certificate_authority(const std::filesystem::path& dir, const std::string& name);

// A TLS server certificate (serverAuth) signed by `ca`, as DIR/<name>.pem and DIR/<name>.key.
Certificate make_server_certificate(const Certificate& ca, const std::filesystem::path& dir,
                                    const std::string& name, const ServerCertificateOptions& options = {});

// A TLS client certificate (clientAuth) signed by `ca`, as DIR/<name>.pem and DIR/<name>.key.
Certificate make_client_certificate(const Certificate& ca, const std::filesystem::path& dir,
                                    const std::string& name);

}  // namespace boxtool::harness
