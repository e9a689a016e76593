// Docker's config.json and containers' auth.json: the same "auths" format, read the same way.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::plugins {

struct AuthEntry {
    std::string key;  // as written in the file, for messages
    std::string username;
    std::string password;
    std::string identity_token;  // "identitytoken": an OAuth2 refresh token
    std::string registry_token;  // "registrytoken": a bearer token used as is
    AuthEntry() = default;
    AuthEntry(const AuthEntry&) = default;
    AuthEntry& operator=(const AuthEntry&) = default;
    ~AuthEntry();
    bool has_secret() const noexcept {
        return !password.empty() || !identity_token.empty() || !registry_token.empty();
    }
};

struct AuthFile {
    std::filesystem::path path;
    std::map<std::string, AuthEntry> auths;           // by normalized key (server_key.hpp)
    std::string creds_store;                          // "credsStore": a helper for every registry
    std::map<std::string, std::string> cred_helpers;  // "credHelpers": normalized host -> helper

    // The entry holding a secret for `repository` on `registry`, most specific namespace key first.
    // Empty entries (docker writes them when a credsStore holds the secret) are passed over.
    const AuthEntry* find(std::string_view registry, std::string_view repository) const;
    // The credHelpers helper for `registry`, if any.
    std::optional<std::string> helper_for(std::string_view registry) const;
};

// Parses the text of an auth file. Throws std::runtime_error naming `path` and the offending key
// for malformed JSON, a non-object entry, or an "auth" that is not base64 of "user:password".
AuthFile parse_auth_file(const std::filesystem::path& path, std::string_view text);

// Reads and parses `path`: nothing when the file does not exist; throws std::runtime_error when
// it exists but cannot be read, is larger than 4 MiB, or is malformed.
std::optional<AuthFile> read_auth_file(const std::filesystem::path& path);

}  // namespace boxtool::plugins
