#include "http/tls_trust.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <climits>
#include <memory>

#include "boxtool/error.hpp"

namespace boxtool::http {
namespace {

struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// OpenSSL's queued errors as text, clearing the queue so later calls start clean.
std::string take_openssl_errors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        text += (text.empty() ? "" : "; ") + std::string(buf);
    }
    return text.empty() ? "unknown OpenSSL error" : text;
}

// Calls `each` for every certificate in `pem`; returns how many there were.
template <typename Each>
int for_each_certificate(std::string_view pem, Each&& each) {
    if (pem.size() > INT_MAX) return 0;
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return 0;
    int count = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        each(cert);
        X509_free(cert);
        ++count;
    }
    ERR_clear_error();  // the loop always ends with a "no start line" error
    return count;
}

}  // namespace

int count_pem_certificates(std::string_view pem) {
    return for_each_certificate(pem, [](X509*) {});
}

void add_root_certificates(SSL_CTX* ctx, std::string_view pem, const std::string& what) {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    // A certificate already in the store is not an error worth reporting, so results are ignored.
    int added = for_each_certificate(pem, [&](X509* cert) { X509_STORE_add_cert(store, cert); });
    ERR_clear_error();
    if (added == 0)
        throw Failure(ErrorKind::Config, what + " holds no PEM certificate",
                      "give CA certificates as PEM text (-----BEGIN CERTIFICATE----- ...)");
}

void use_client_certificate(SSL_CTX* ctx, const std::string& cert_file, const std::string& key_file) {
    ERR_clear_error();
    const std::string hint =
        "a client certificate is NAME.cert (PEM) with its unencrypted private key NAME.key (PEM) beside it";
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
        throw Failure(ErrorKind::Config,
                      "cannot use the client certificate " + cert_file + ": " + take_openssl_errors(), hint);
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1)
        throw Failure(ErrorKind::Config,
                      "cannot use the client key " + key_file + ": " + take_openssl_errors(), hint);
    if (SSL_CTX_check_private_key(ctx) != 1)
        throw Failure(ErrorKind::Config,
                      "the client key " + key_file + " does not belong to the certificate " + cert_file,
                      hint);
}

}  // namespace boxtool::http
