// Where the encrypted store's key comes from: BOXTOOL_STORE_KEY, a key file, or a passphrase.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace boxtool::plugins {

struct StoreKeyMaterial {
    enum class Kind { Raw, Passphrase } kind = Kind::Raw;
    std::string secret;  // 32 raw bytes, or the passphrase
    std::string origin;  // "BOXTOOL_STORE_KEY", "key file PATH", "passphrase": for messages
    StoreKeyMaterial() = default;
    StoreKeyMaterial(const StoreKeyMaterial&) = default;
    StoreKeyMaterial& operator=(const StoreKeyMaterial&) = default;
    ~StoreKeyMaterial();
};

struct StoreKeyOptions {
    std::optional<std::filesystem::path> key_file;  // a flag or setting; BOXTOOL_STORE_KEY_FILE otherwise
    // Asks a person for the passphrase (a terminal prompt); empty when nobody can be asked.
    std::function<std::optional<std::string>()> ask_passphrase;
};

// In order: BOXTOOL_STORE_KEY (64 hex digits or base64 of 32 bytes); the key file (same text, or
// 32 raw bytes; it must be owned by the user and readable by nobody else); BOXTOOL_STORE_PASSPHRASE;
// ask_passphrase. Throws std::runtime_error explaining the choices when none gives a key, or when
// a key is malformed or a key file is exposed.
StoreKeyMaterial resolve_store_key(const StoreKeyOptions& options);

// Parses 64 hex digits or base64 of 32 bytes; nothing otherwise.
std::optional<std::string> parse_raw_key(std::string text);

}  // namespace boxtool::plugins
