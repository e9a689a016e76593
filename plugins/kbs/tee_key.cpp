#include "tee_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

#include "base64.hpp"
#include "secure_wipe.hpp"

namespace boxtool::plugins::kbs {
namespace {

[[noreturn]] void fail(const std::string& what) {
    unsigned long code = ERR_get_error();
    char buf[256] = {};
    if (code) ERR_error_string_n(code, buf, sizeof buf);
    ERR_clear_error();
    throw std::runtime_error(what + (code ? std::string(" (") + buf + ")" : std::string()));
}

struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct CtxFree {
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct BnFree {
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;
using Bn = std::unique_ptr<BIGNUM, BnFree>;

std::string bn_param(EVP_PKEY* key, const char* name, int pad_to = 0) {
    BIGNUM* raw = nullptr;
    if (!EVP_PKEY_get_bn_param(key, name, &raw)) fail(std::string("cannot read the TEE key's ") + name);
    Bn bn(raw);
    int len = pad_to ? pad_to : BN_num_bytes(bn.get());
    std::string out(static_cast<std::size_t>(len), '\0');
    if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), len) != len)
        fail(std::string("cannot encode the TEE key's ") + name);
    return out;
}

}  // namespace

struct TeeKey::Impl {
    Pkey key;
};

TeeKey::TeeKey(std::unique_ptr<Impl> impl, TeeKeyType type) : impl_(std::move(impl)), type_(type) {}
TeeKey::TeeKey(TeeKey&&) noexcept = default;
TeeKey& TeeKey::operator=(TeeKey&&) noexcept = default;
TeeKey::~TeeKey() = default;

TeeKey TeeKey::generate(TeeKeyType type) {
    EVP_PKEY* raw = type == TeeKeyType::EcP256
                        ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072});
    if (!raw) fail("cannot generate the TEE key");
    auto impl = std::make_unique<Impl>();
    impl->key.reset(raw);
    return TeeKey(std::move(impl), type);
}

TeeKey TeeKey::from_private_pem(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                  &BIO_free);
    EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!raw) fail("not a PEM private key");
    auto impl = std::make_unique<Impl>();
    impl->key.reset(raw);
    if (EVP_PKEY_is_a(raw, "RSA")) return TeeKey(std::move(impl), TeeKeyType::Rsa);
    char group[64] = {};
    if (EVP_PKEY_is_a(raw, "EC") &&
        EVP_PKEY_get_utf8_string_param(raw, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr) &&
        (std::string(group) == "prime256v1" || std::string(group) == "P-256"))
        return TeeKey(std::move(impl), TeeKeyType::EcP256);
    throw std::runtime_error("the TEE key must be RSA or EC P-256");
}

std::string TeeKey::public_jwk() const {
    EVP_PKEY* key = impl_->key.get();
    if (type_ == TeeKeyType::EcP256) {
        return R"({"alg":"ECDH-ES+A256KW","crv":"P-256","kty":"EC","x":")" +
               base64url_encode(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, 32)) + R"(","y":")" +
               base64url_encode(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32)) + R"("})";
    }
    return R"({"alg":"RSA-OAEP-256","e":")" + base64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_E)) +
           R"(","kty":"RSA","n":")" + base64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_N)) + R"("})";
}

std::string TeeKey::ecdh(std::string_view peer_x, std::string_view peer_y) const {
    if (type_ != TeeKeyType::EcP256) throw std::runtime_error("the JWE needs an EC key, the TEE key is RSA");
    if (peer_x.size() != 32 || peer_y.size() != 32)
        throw std::runtime_error("the JWE's ephemeral key is not a P-256 point");
    std::string point = "\x04" + std::string(peer_x) + std::string(peer_y);
    std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                        &OSSL_PARAM_BLD_free);
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()))
        fail("cannot build the JWE's ephemeral key");
    std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()),
                                                                   &OSSL_PARAM_free);
    PkeyCtx from(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw_peer = nullptr;
    if (!params || !from || EVP_PKEY_fromdata_init(from.get()) <= 0 ||
        EVP_PKEY_fromdata(from.get(), &raw_peer, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
        fail("the JWE's ephemeral key is not a valid P-256 point");
    Pkey peer(raw_peer);
    // fromdata does not check that the point lies on the curve; an invalid point must be refused
    // before it is multiplied with the private key.
    PkeyCtx check(EVP_PKEY_CTX_new(peer.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) <= 0) fail("the JWE's ephemeral key is not on P-256");
    PkeyCtx derive(EVP_PKEY_CTX_new(impl_->key.get(), nullptr));
    std::size_t len = 0;
    if (!derive || EVP_PKEY_derive_init(derive.get()) <= 0 ||
        EVP_PKEY_derive_set_peer(derive.get(), peer.get()) <= 0 ||
        EVP_PKEY_derive(derive.get(), nullptr, &len) <= 0)
        fail("ECDH with the JWE's ephemeral key failed");
    std::string z(len, '\0');
    if (EVP_PKEY_derive(derive.get(), reinterpret_cast<unsigned char*>(z.data()), &len) <= 0)
        fail("ECDH with the JWE's ephemeral key failed");
    z.resize(len);
    return z;
}

std::string TeeKey::rsa_decrypt(std::string_view wrapped, bool oaep_sha256) const {
    if (type_ != TeeKeyType::Rsa) throw std::runtime_error("the JWE needs an RSA key, the TEE key is EC");
    PkeyCtx ctx(EVP_PKEY_CTX_new(impl_->key.get(), nullptr));
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0) fail("cannot start RSA decryption");
    if (oaep_sha256) {
        if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) <= 0 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) <= 0)
            fail("cannot set up RSA-OAEP-256");
    } else if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0) {
        fail("cannot set up RSA1_5");
    }
    auto in = reinterpret_cast<const unsigned char*>(wrapped.data());
    std::size_t len = 0;
    if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, in, wrapped.size()) <= 0) fail("RSA decryption failed");
    std::string out(len, '\0');
    if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in, wrapped.size()) <=
        0) {
        secure_wipe(out);
        fail("the JWE's encrypted key does not decrypt with the TEE key");
    }
    out.resize(len);
    return out;
}

}  // namespace boxtool::plugins::kbs
