#include "store_crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace boxtool::plugins {
namespace {

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) {
    return reinterpret_cast<unsigned char*>(s.data());
}

void need(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("OpenSSL failed: ") + what);
}

}  // namespace

bool ScryptParams::reasonable() const noexcept {
    bool power_of_two = n >= 2 && (n & (n - 1)) == 0;
    return power_of_two && n >= (1u << 10) && n <= (1u << 20) && r >= 1 && r <= 32 && p >= 1 && p <= 16 &&
           128 * r * n <= (std::uint64_t(1) << 30);
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    need(RAND_bytes(bytes(out), static_cast<int>(n)) == 1, "RAND_bytes");
    return out;
}

std::string scrypt_key(std::string_view passphrase, std::string_view salt, const ScryptParams& params) {
    if (!params.reasonable()) throw std::runtime_error("unreasonable scrypt parameters");
    std::string key(32, '\0');
    need(EVP_PBE_scrypt(passphrase.data(), passphrase.size(), bytes(salt), salt.size(), params.n, params.r,
                        params.p, std::uint64_t(1) << 31, bytes(key), key.size()) == 1,
         "scrypt");
    return key;
}

Sealed seal(std::string_view key, std::string_view plaintext, std::string_view aad) {
    if (key.size() != 32) throw std::runtime_error("the store key must be 32 bytes");
    Sealed out;
    out.nonce = random_bytes(12);
    out.ciphertext.assign(plaintext.size(), '\0');
    out.tag.assign(16, '\0');
    Ctx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    need(ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(out.nonce)) == 1,
         "AES-GCM init");
    need(EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1,
         "AES-GCM aad");
    need(EVP_EncryptUpdate(ctx.get(), bytes(out.ciphertext), &len, bytes(plaintext),
                           static_cast<int>(plaintext.size())) == 1,
         "AES-GCM encrypt");
    need(EVP_EncryptFinal_ex(ctx.get(), bytes(out.ciphertext) + len, &len) == 1, "AES-GCM final");
    need(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, bytes(out.tag)) == 1, "AES-GCM tag");
    return out;
}

bool open_sealed(std::string_view key, const Sealed& sealed, std::string_view aad, std::string& plaintext) {
    if (key.size() != 32 || sealed.nonce.size() != 12 || sealed.tag.size() != 16) return false;
    plaintext.assign(sealed.ciphertext.size(), '\0');
    Ctx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    std::string tag = sealed.tag;
    bool ok =
        ctx &&
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(sealed.nonce)) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), bytes(plaintext), &len, bytes(sealed.ciphertext),
                          static_cast<int>(sealed.ciphertext.size())) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, bytes(tag)) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), bytes(plaintext) + len, &len) == 1;
    if (!ok) {
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        plaintext.clear();
    }
    return ok;
}

std::string key_check(std::string_view key) {
    static constexpr std::string_view kLabel = "boxtool credential store key check v1";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    need(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(kLabel), kLabel.size(), mac,
              &len) != nullptr,
         "HMAC");
    return std::string(reinterpret_cast<char*>(mac), 16);
}

}  // namespace boxtool::plugins
