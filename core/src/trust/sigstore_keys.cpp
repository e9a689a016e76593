#include "trust/sigstore_keys.hpp"

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace boxtool::trust {
namespace {

struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// A PEM public key: SubjectPublicKeyInfo ("PUBLIC KEY") or a bare RSA key ("RSA PUBLIC KEY").
Pkey parse_public_key(const std::string& pem, std::size_t index) {
    EVP_PKEY* key = nullptr;
    OSSL_DECODER_CTX* dctx =
        OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", nullptr, nullptr, EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
    if (!dctx) throw std::runtime_error("cannot set up a key decoder");
    const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
    std::size_t len = pem.size();
    bool ok = OSSL_DECODER_from_data(dctx, &data, &len) == 1 && key;
    OSSL_DECODER_CTX_free(dctx);
    if (!ok) {
        ERR_clear_error();  // the queue is per thread; leave nothing behind for the next TLS call
        EVP_PKEY_free(key);
        throw std::runtime_error("public key " + std::to_string(index + 1) +
                                 " is not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")");
    }
    int id = EVP_PKEY_get_base_id(key);
    if (id != EVP_PKEY_EC && id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        throw std::runtime_error("public key " + std::to_string(index + 1) +
                                 " is of a type sigstore does not sign with (ECDSA, RSA and Ed25519 are)");
    }
    return Pkey(key);
}

bool verify_with(EVP_PKEY* key, std::string_view payload, std::string_view signature) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    if (!md) return false;
    // Ed25519 signs the message itself; the others a SHA-256 digest, as sigstore's verifiers do.
    const EVP_MD* digest = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
    bool ok = EVP_DigestVerifyInit(md, nullptr, digest, nullptr, key) == 1 &&
              EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                               reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) ERR_clear_error();
    return ok;
}

}  // namespace

struct SigstoreKeys::Impl {
    std::vector<Pkey> keys;
};

SigstoreKeys::SigstoreKeys(const std::vector<std::string>& pem_keys) : impl_(std::make_unique<Impl>()) {
    for (std::size_t i = 0; i < pem_keys.size(); ++i) impl_->keys.push_back(parse_public_key(pem_keys[i], i));
}

SigstoreKeys::~SigstoreKeys() = default;

bool SigstoreKeys::verify(std::string_view payload, std::string_view signature) const {
    for (const auto& key : impl_->keys)
        if (verify_with(key.get(), payload, signature)) return true;
    return false;
}

}  // namespace boxtool::trust
