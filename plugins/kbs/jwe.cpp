#include "jwe.hpp"

#include <openssl/evp.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <memory>
#include <stdexcept>

#include "base64.hpp"
#include "secure_wipe.hpp"

namespace boxtool::plugins::kbs {
namespace {

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::string be32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
            static_cast<char>(v)};
}

// A string member of `object` (the response or the protected header), decoded from base64url.
std::string member(const Poco::JSON::Object& object, const std::string& name, const char* where,
                   bool decode = true) {
    if (!object.has(name) || !object.get(name).isString())
        throw std::runtime_error(std::string(where) + " has no \"" + name + "\" string");
    std::string text = object.getValue<std::string>(name);
    if (!decode) return text;
    auto decoded = base64url_decode(text);
    if (!decoded) throw std::runtime_error(std::string(where) + " \"" + name + "\" is not base64url");
    return *decoded;
}

Poco::JSON::Object::Ptr parse_object(std::string_view text, const char* what) {
    try {
        Poco::JSON::Parser parser;
        auto value = parser.parse(std::string(text));
        auto object = value.extract<Poco::JSON::Object::Ptr>();
        if (object) return object;
    } catch (const std::exception&) {
    }
    throw std::runtime_error(std::string(what) + " is not a JSON object");
}

// The content-encryption key, unwrapped with the TEE key as the header's "alg" says.
std::string unwrap_cek(const Poco::JSON::Object& header, const std::string& encrypted_key,
                       const TeeKey& key) {
    std::string alg = member(header, "alg", "the JWE protected header", false);
    if (alg == "ECDH-ES+A256KW") {
        auto epk = header.getObject("epk");
        if (!epk) throw std::runtime_error("the JWE protected header has no \"epk\" object");
        if (member(*epk, "kty", "the JWE's epk", false) != "EC" ||
            member(*epk, "crv", "the JWE's epk", false) != "P-256")
            throw std::runtime_error("the JWE's epk is not an EC P-256 key");
        std::string apu = header.has("apu") ? member(header, "apu", "the JWE protected header") : "";
        std::string apv = header.has("apv") ? member(header, "apv", "the JWE protected header") : "";
        std::string z = key.ecdh(member(*epk, "x", "the JWE's epk"), member(*epk, "y", "the JWE's epk"));
        std::string kek = concat_kdf_sha256(z, alg, apu, apv, 256);
        secure_wipe(z);
        auto cek = aes_key_unwrap(kek, encrypted_key);
        secure_wipe(kek);
        if (!cek) throw std::runtime_error("the JWE's encrypted key does not unwrap with the TEE key");
        return *cek;
    }
    if (alg == "RSA-OAEP-256") return key.rsa_decrypt(encrypted_key, true);
    if (alg == "RSA1_5") return key.rsa_decrypt(encrypted_key, false);
    throw std::runtime_error("unsupported JWE key management algorithm \"" + alg +
                             "\" (supported: ECDH-ES+A256KW, RSA-OAEP-256, RSA1_5)");
}

}  // namespace

std::string concat_kdf_sha256(std::string_view z, std::string_view alg, std::string_view apu,
                              std::string_view apv, std::size_t key_bits) {
    std::string other = be32(static_cast<std::uint32_t>(alg.size())) + std::string(alg) +
                        be32(static_cast<std::uint32_t>(apu.size())) + std::string(apu) +
                        be32(static_cast<std::uint32_t>(apv.size())) + std::string(apv) +
                        be32(static_cast<std::uint32_t>(key_bits));
    std::string out;
    for (std::uint32_t counter = 1; out.size() * 8 < key_bits; ++counter) {
        std::string round = be32(counter) + std::string(z) + other;
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        bool ok = EVP_Digest(round.data(), round.size(), digest, &len, EVP_sha256(), nullptr) == 1;
        secure_wipe(round);
        if (!ok) throw std::runtime_error("SHA-256 failed in the Concat KDF");
        out.append(reinterpret_cast<char*>(digest), len);
        OPENSSL_cleanse(digest, sizeof digest);
    }
    out.resize(key_bits / 8);
    return out;
}

std::optional<std::string> aes_key_unwrap(std::string_view kek, std::string_view wrapped) {
    const EVP_CIPHER* cipher = kek.size() == 32   ? EVP_aes_256_wrap()
                               : kek.size() == 24 ? EVP_aes_192_wrap()
                               : kek.size() == 16 ? EVP_aes_128_wrap()
                                                  : nullptr;
    if (!cipher) throw std::runtime_error("AES key wrap needs a 128, 192 or 256-bit key");
    if (wrapped.size() < 24 || wrapped.size() % 8 != 0) return std::nullopt;
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::runtime_error("out of memory");
    EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    std::string out(wrapped.size(), '\0');
    int len = 0, tail = 0;
    if (EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, bytes(kek), nullptr) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, bytes(wrapped),
                          static_cast<int>(wrapped.size())) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &tail) != 1) {
        secure_wipe(out);
        return std::nullopt;
    }
    out.resize(static_cast<std::size_t>(len + tail));
    return out;
}

std::optional<std::string> aes256gcm_decrypt(std::string_view key, std::string_view iv, std::string_view aad,
                                             std::string_view ciphertext, std::string_view tag) {
    if (key.size() != 32) throw std::runtime_error("A256GCM needs a 256-bit key");
    if (iv.size() != 12) throw std::runtime_error("the JWE's iv is not 96 bits");
    if (tag.size() != 16) throw std::runtime_error("the JWE's tag is not 128 bits");
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::runtime_error("out of memory");
    std::string out(ciphertext.size(), '\0');
    int len = 0, tail = 0;
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) != 1 ||
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(iv)) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, bytes(ciphertext),
                          static_cast<int>(ciphertext.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, const_cast<char*>(tag.data())) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &tail) != 1) {
        secure_wipe(out);
        return std::nullopt;
    }
    out.resize(static_cast<std::size_t>(len + tail));
    return out;
}

std::string decrypt_jwe(std::string_view response_json, const TeeKey& key) {
    auto response = parse_object(response_json, "the KBS response");
    // The AAD is the protected header exactly as sent (RFC 7516 5.2 step 14), not a re-encoding.
    std::string protected_b64 = member(*response, "protected", "the JWE", false);
    auto header_json = base64url_decode(protected_b64);
    if (!header_json) throw std::runtime_error("the JWE \"protected\" is not base64url");
    auto header = parse_object(*header_json, "the JWE protected header");
    std::string enc = member(*header, "enc", "the JWE protected header", false);
    if (enc != "A256GCM")
        throw std::runtime_error("unsupported JWE content encryption \"" + enc + "\" (supported: A256GCM)");
    std::string aad = protected_b64;
    if (response->has("aad")) aad += "." + member(*response, "aad", "the JWE", false);
    std::string cek = unwrap_cek(*header, member(*response, "encrypted_key", "the JWE"), key);
    if (cek.size() != 32) {
        secure_wipe(cek);
        throw std::runtime_error("the JWE's content key is not 256 bits");
    }
    auto plain =
        aes256gcm_decrypt(cek, member(*response, "iv", "the JWE"), aad,
                          member(*response, "ciphertext", "the JWE"), member(*response, "tag", "the JWE"));
    secure_wipe(cek);
    if (!plain) throw std::runtime_error("the JWE failed its integrity check (A256GCM tag)");
    return std::move(*plain);
}

}  // namespace boxtool::plugins::kbs
