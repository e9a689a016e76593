// The encrypted local credential store: a file of registry credentials sealed with AES-256-GCM.
//
// File (JSON, mode 0600): {"format": "boxtool-credential-store", "version": 1,
//   "kdf": {"name": "none"} | {"name": "scrypt", "salt": B64, "n": N, "r": R, "p": P},
//   "key_check": B64, "nonce": B64, "ciphertext": B64, "tag": B64}
// The header (format, version, kdf) is authenticated as GCM's additional data, so changing any of
// it is detected like changing the ciphertext. key_check tells "wrong key" from "damaged file".
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store_key.hpp"

namespace boxtool::plugins {

struct StoredCredential {
    std::string id;      // a random UUID
    std::string name;    // unique, chosen by the user
    std::string server;  // normalized like docker-config keys (host, or host/namespace)
    std::string username;
    std::string email;
    bool enabled = true;
    std::string password;
    StoredCredential() = default;
    StoredCredential(const StoredCredential&) = default;
    StoredCredential& operator=(const StoredCredential&) = default;
    ~StoredCredential();
};

class CredentialStore {
  public:
    // $BOXTOOL_CREDENTIAL_STORE, else ${XDG_CONFIG_HOME:-~/.config}/boxtool/credentials.store.
    static std::filesystem::path default_path();

    // Opens `path` with `key`. A missing file is an empty store (created on save). Throws
    // std::runtime_error, and never resets the file, when it is readable by others, not owned by
    // the user, malformed, opened with the wrong key or kind of key, or tampered with.
    static CredentialStore open(const std::filesystem::path& path, const StoreKeyMaterial& key);

    bool exists() const noexcept { return existed_; }
    const std::filesystem::path& path() const noexcept { return path_; }
    const std::vector<StoredCredential>& entries() const noexcept { return entries_; }

    // By exact id or name; nullptr if none.
    const StoredCredential* find(std::string_view name_or_id) const;
    // The enabled entry for `repository` on `registry`, most specific namespace first.
    const StoredCredential* match(std::string_view registry, std::string_view repository) const;

    // Validates (name unique and plain, server a host, username without ':', password present),
    // normalizes the server and gives new entries an id. Throws std::runtime_error.
    const StoredCredential& add(StoredCredential entry);
    void replace(const StoredCredential& entry);  // same id
    void remove(std::string_view id);

    // Seals and writes atomically: temp file (0600) beside the store, fsync, rename, fsync folder.
    void save() const;

  private:
    CredentialStore(std::filesystem::path path, const StoreKeyMaterial& key);
    void validate(const StoredCredential& entry, std::string_view ignore_id) const;

    std::filesystem::path path_;
    StoreKeyMaterial::Kind kind_ = StoreKeyMaterial::Kind::Raw;
    std::string key_;   // the 32-byte AES key (derived for passphrases)
    std::string salt_;  // scrypt salt when kind_ is Passphrase
    std::uint64_t n_ = 0, r_ = 0, p_ = 0;
    bool existed_ = false;
    std::vector<StoredCredential> entries_;

  public:
    ~CredentialStore();
    CredentialStore(CredentialStore&&) = default;
};

// Serialises changes between processes: holds an exclusive lock on PATH.lock while alive.
class StoreLock {
  public:
    explicit StoreLock(const std::filesystem::path& store_path);
    ~StoreLock();
    StoreLock(const StoreLock&) = delete;
    StoreLock& operator=(const StoreLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace boxtool::plugins
