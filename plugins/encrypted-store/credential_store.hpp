// The encrypted local credential store: a file of registry credentials sealed with AES-256-GCM.
//
// File (JSON, mode 0600): {"format": "boxtool-credential-store", "version": 2,
//   "kdf": {"name": "none"} | {"name": "scrypt", "salt": B64, "n": N, "r": R, "p": P},
//   "servers": ["quay.io/org", ...],
//   "key_check": B64, "nonce": B64, "ciphertext": B64, "tag": B64}
// The header (format, version, kdf, servers) is authenticated as GCM's additional data, so changing
// any of it is detected like changing the ciphertext. key_check tells "wrong key" from "damaged file".
//
// "servers" is an index readable without the key: the servers of the enabled entries, and nothing
// else (no names, users, parameters or secrets). A pull asks for the key only when the index has a
// server its registry could match; every other pull never needs it. The index only decides *whether*
// to open the store: which entry is used, where its secret comes from and which registry it goes to
// are read from the sealed entries once the whole file has been verified. So someone who can edit
// the file but lacks the key can hide entries (the pull falls through to the next source, as if they
// were absent) or make boxtool ask for the key (the edit is then detected and refused); they cannot
// redirect a secret to another registry or add an entry that gets used. Version 1 files (no index)
// are still read, with the key every time; saving writes version 2.
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
    std::string password;  // backend "local" only
    // Where the secret lives: "local" (the password above, sealed in this file); "ssm" (a
    // SecureString in the user's AWS Parameter Store: only its name and region are kept here); "ecr"
    // (no secret at all: a short-lived token from ECR's GetAuthorizationToken at pull time).
    std::string backend = "local";
    std::string parameter;  // ssm: the parameter's name
    std::string region;     // ssm: the parameter's region; ecr: the registry's
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

    // The servers of the enabled entries of the store at `path`, read without the key from the
    // index (see above). Empty for a missing file; nothing for a version 1 file, which must be opened
    // to know. Throws std::runtime_error for a file that is exposed to others or malformed.
    static std::optional<std::vector<std::string>> indexed_servers(const std::filesystem::path& path);
    // Whether one of `servers` could hold credentials for `repository` on `registry` (the same keys,
    // most specific first, that match() tries).
    static bool index_may_match(const std::vector<std::string>& servers, std::string_view registry,
                                std::string_view repository);

    // By exact id, then exact name, then id prefix (at least 4 characters, as `registry list` shows
    // 8): every entry that fits. One means found; several, an ambiguous prefix.
    std::vector<const StoredCredential*> find_all(std::string_view name_or_id) const;
    // find_all when it finds exactly one; nullptr otherwise.
    const StoredCredential* find(std::string_view name_or_id) const;
    // The enabled entry for `repository` on `registry`, most specific namespace first.
    const StoredCredential* match(std::string_view registry, std::string_view repository) const;

    // Validates (name unique and plain, server a host, username without ':', a password for local
    // entries, a parameter and region for ssm ones, an ECR host for ecr ones), normalizes the server
    // and gives new entries an id. Throws std::runtime_error.
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
    std::vector<std::string> index() const;  // the enabled entries' servers, sorted and unique

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
