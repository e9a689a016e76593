// The cryptography of the encrypted credential store: AES-256-GCM, scrypt, and a key check.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace boxtool::plugins {

struct ScryptParams {
    std::uint64_t n = 1 << 15;  // 32 MiB of memory with r = 8: slow to guess, quick to open
    std::uint64_t r = 8;
    std::uint64_t p = 1;
    // Refuses parameters a tampered file could use to exhaust memory or time.
    bool reasonable() const noexcept;
};

struct Sealed {
    std::string nonce;       // 12 bytes
    std::string ciphertext;  // as long as the plaintext
    std::string tag;         // 16 bytes
};

std::string random_bytes(std::size_t n);
// 32 bytes from `passphrase`. Throws std::runtime_error if OpenSSL refuses.
std::string scrypt_key(std::string_view passphrase, std::string_view salt, const ScryptParams& params);
// Encrypts with a fresh random nonce; `aad` is authenticated but not encrypted.
Sealed seal(std::string_view key, std::string_view plaintext, std::string_view aad);
// False when the tag does not match (wrong key, or altered ciphertext, nonce, tag or aad).
bool open_sealed(std::string_view key, const Sealed& sealed, std::string_view aad, std::string& plaintext);
// 16 bytes that tell a wrong key from a damaged file without revealing the key.
std::string key_check(std::string_view key);

}  // namespace boxtool::plugins
