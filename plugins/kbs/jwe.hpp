// The KBS response: a JWE in flattened JSON serialization (RFC 7516 7.2.2), content encrypted with
// A256GCM under a key wrapped for the TEE key by ECDH-ES+A256KW, RSA-OAEP-256 or (older brokers)
// RSA1_5. Every check failing is a std::runtime_error saying which; nothing is ever half-decrypted.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tee_key.hpp"

namespace boxtool::plugins::kbs {

// The plaintext of a KBS response (the resource's bytes).
std::string decrypt_jwe(std::string_view response_json, const TeeKey& key);

// Concat KDF (NIST SP 800-56A, RFC 7518 4.6.2) with SHA-256: `key_bits` of key from the shared
// secret `z`, for algorithm `alg` ("ECDH-ES+A256KW", or the enc for direct ECDH-ES), with the
// (decoded) PartyUInfo and PartyVInfo.
std::string concat_kdf_sha256(std::string_view z, std::string_view alg, std::string_view apu,
                              std::string_view apv, std::size_t key_bits);

// AES key unwrap (RFC 3394) with the default IV; nothing when the integrity check fails.
std::optional<std::string> aes_key_unwrap(std::string_view kek, std::string_view wrapped);

// AES-256-GCM decryption with a 16-byte tag; nothing when the tag does not verify.
std::optional<std::string> aes256gcm_decrypt(std::string_view key, std::string_view iv, std::string_view aad,
                                             std::string_view ciphertext, std::string_view tag);

}  // namespace boxtool::plugins::kbs
