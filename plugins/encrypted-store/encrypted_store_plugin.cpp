// The "encrypted-store" credential source: entries managed with `boxtool registry`.
// Settings: "path" (default: CredentialStore::default_path()), "key_file" (else BOXTOOL_STORE_KEY,
// BOXTOOL_STORE_KEY_FILE or BOXTOOL_STORE_PASSPHRASE). Disabled entries are skipped.
//
// The key is needed only when the store is consulted: the file's server index (readable without
// the key) says whether any enabled entry could match the registry; if none can, the answer is
// "not here" and no key is asked for. Otherwise the whole file is opened and verified, and the
// sealed entries alone decide (see credential_store.hpp for why the index cannot redirect secrets).
#include <map>
#include <memory>

#include "boxtool/credential_plugin.hpp"
#include "credential_store.hpp"
#include "settings.hpp"
#include "stored_secret.hpp"

namespace boxtool::plugins {
namespace {

class EncryptedStoreSource final : public boxtool_plugin::CredentialSource {
  public:
    explicit EncryptedStoreSource(const boxtool_plugin::Host& host) {
        Settings settings(host.settings_json());
        settings.reject_unknown({"path", "key_file"});
        path_ = settings.string("path").value_or(CredentialStore::default_path().string());
        if (auto key_file = settings.string("key_file")) key_options_.key_file = *key_file;
    }

    boxtool_plugin::Status get(std::string_view registry, std::string_view repository,
                               boxtool_plugin::Answer& answer) override {
        if (!store_) {
            if (!index_) index_ = CredentialStore::indexed_servers(path_);
            // A version 1 file has no index (*index_ is empty): it must be opened to know.
            if (*index_ && !CredentialStore::index_may_match(**index_, registry, repository))
                return boxtool_plugin::Status::NotFound;
            std::error_code ec;
            if (!std::filesystem::exists(path_, ec)) return boxtool_plugin::Status::NotFound;
            StoreKeyMaterial key;
            try {
                key = resolve_store_key(key_options_);
            } catch (const std::runtime_error& e) {
                throw std::runtime_error("credential store " + path_.string() + " has an entry for " +
                                         std::string(registry) + ", but no key to open it: " + e.what());
            }
            store_ = std::make_unique<CredentialStore>(CredentialStore::open(path_, key));
        }
        const StoredCredential* entry = store_->match(registry, repository);
        if (!entry) return boxtool_plugin::Status::NotFound;
        auto it = secrets_.find(entry->id);
        if (it == secrets_.end()) it = secrets_.emplace(entry->id, read_stored_secret(*entry)).first;
        answer.username = it->second.username;
        answer.password = it->second.password;
        answer.source = path_.string() + " entry \"" + entry->name + "\"" +
                        (it->second.origin.empty() ? "" : " via " + it->second.origin);
        return boxtool_plugin::Status::Found;
    }

    std::string describe() const override { return path_.string(); }

  private:
    std::filesystem::path path_;
    StoreKeyOptions key_options_;
    // The index read without the key: unset until first needed; nothing inside for version 1 files.
    std::optional<std::optional<std::vector<std::string>>> index_;
    std::unique_ptr<CredentialStore> store_;
    std::map<std::string, StoredSecret> secrets_;  // by entry id: AWS is asked once per pull
};

}  // namespace
}  // namespace boxtool::plugins

BOXTOOL_CREDENTIAL_PLUGIN(boxtool::plugins::EncryptedStoreSource, "encrypted-store", "1.0")
