// OpenSSL-level pieces of a TLS client context: extra trusted roots from PEM text, and a client
// certificate with its key. Failures become boxtool::Failure(Config) naming what was wrong.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <string_view>

namespace boxtool::http {

// How many CERTIFICATE blocks of `pem` OpenSSL can read; 0 for text that holds none.
int count_pem_certificates(std::string_view pem);

// Trusts every certificate in `pem` (on top of what the context already trusts). `what` names
// the text's origin for the error when it holds no certificate.
void add_root_certificates(SSL_CTX* ctx, std::string_view pem, const std::string& what);

// Presents `cert_file` (PEM, optionally followed by its chain) with the private key `key_file`.
void use_client_certificate(SSL_CTX* ctx, const std::string& cert_file, const std::string& key_file);

}  // namespace boxtool::http
