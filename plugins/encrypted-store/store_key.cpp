#include "store_key.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "base64.hpp"
#include "secure_wipe.hpp"

namespace boxtool::plugins {
namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

StoreKeyMaterial from_key_file(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw std::runtime_error("cannot read the store key file " + path.string() + " (does it exist?)");
    if (!S_ISREG(st.st_mode))
        throw std::runtime_error("the store key file " + path.string() + " is not a file");
    if (st.st_uid != ::geteuid())
        throw std::runtime_error("the store key file " + path.string() + " is owned by another user");
    if (st.st_mode & 077)
        throw std::runtime_error("the store key file " + path.string() +
                                 " is accessible by other users; run: chmod 600 " + path.string());
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw std::runtime_error("cannot read the store key file " + path.string());
    StoreKeyMaterial key;
    key.kind = StoreKeyMaterial::Kind::Raw;
    key.origin = "key file " + path.string();
    if (text.size() == 32) {
        key.secret = text;
    } else if (auto raw = parse_raw_key(text)) {
        key.secret = *raw;
        secure_wipe(*raw);
    } else {
        secure_wipe(text);
        throw std::runtime_error("the store key file " + path.string() +
                                 " must hold 32 bytes, 64 hex digits, or base64 of 32 bytes");
    }
    secure_wipe(text);
    return key;
}

}  // namespace

StoreKeyMaterial::~StoreKeyMaterial() {
    secure_wipe(secret);
}

std::optional<std::string> parse_raw_key(std::string text) {
    text = trim(std::move(text));
    if (text.size() == 64 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
        std::string out;
        for (std::size_t i = 0; i < 64; i += 2)
            out.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
        secure_wipe(text);
        return out;
    }
    auto decoded = decode_base64(text);
    secure_wipe(text);
    if (decoded && decoded->size() == 32) return decoded;
    if (decoded) secure_wipe(*decoded);
    return std::nullopt;
}

StoreKeyMaterial resolve_store_key(const StoreKeyOptions& options) {
    if (const char* env = std::getenv("BOXTOOL_STORE_KEY"); env && *env) {
        auto raw = parse_raw_key(env);
        if (!raw) throw std::runtime_error("BOXTOOL_STORE_KEY must be 64 hex digits or base64 of 32 bytes");
        StoreKeyMaterial key;
        key.secret = *raw;
        secure_wipe(*raw);
        key.origin = "BOXTOOL_STORE_KEY";
        return key;
    }
    if (options.key_file) return from_key_file(*options.key_file);
    if (const char* env = std::getenv("BOXTOOL_STORE_KEY_FILE"); env && *env) return from_key_file(env);
    if (const char* env = std::getenv("BOXTOOL_STORE_PASSPHRASE"); env && *env) {
        StoreKeyMaterial key;
        key.kind = StoreKeyMaterial::Kind::Passphrase;
        key.secret = env;
        key.origin = "BOXTOOL_STORE_PASSPHRASE";
        return key;
    }
    if (options.ask_passphrase) {
        if (auto pass = options.ask_passphrase(); pass && !pass->empty()) {
            StoreKeyMaterial key;
            key.kind = StoreKeyMaterial::Kind::Passphrase;
            key.secret = *pass;
            secure_wipe(*pass);
            key.origin = "passphrase";
            return key;
        }
    }
    throw std::runtime_error(
        "no key for the encrypted credential store: set BOXTOOL_STORE_KEY (64 hex digits), "
        "BOXTOOL_STORE_KEY_FILE (a file only you can read), or BOXTOOL_STORE_PASSPHRASE");
}

}  // namespace boxtool::plugins
