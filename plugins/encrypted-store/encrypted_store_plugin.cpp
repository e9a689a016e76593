// The "encrypted-store" credential source: entries managed with `boxtool registry`.
// Settings: "path" (default: CredentialStore::default_path()), "key_file" (else BOXTOOL_STORE_KEY,
// BOXTOOL_STORE_KEY_FILE or BOXTOOL_STORE_PASSPHRASE). Disabled entries are skipped.
#include <memory>

#include "boxtool/credential_plugin.hpp"
#include "credential_store.hpp"
#include "settings.hpp"

namespace boxtool::plugins {
namespace {

class EncryptedStoreSource final : public boxtool_plugin::CredentialSource {
  public:
    explicit EncryptedStoreSource(const boxtool_plugin::Host& host) {
        Settings settings(host.settings_json());
        path_ = settings.string("path").value_or(CredentialStore::default_path().string());
        if (auto key_file = settings.string("key_file")) key_options_.key_file = *key_file;
    }

    boxtool_plugin::Status get(std::string_view registry, std::string_view repository,
                               boxtool_plugin::Answer& answer) override {
        if (!store_) {
            std::error_code ec;
            if (!std::filesystem::exists(path_, ec)) return boxtool_plugin::Status::NotFound;
            auto key = resolve_store_key(key_options_);
            store_ = std::make_unique<CredentialStore>(CredentialStore::open(path_, key));
        }
        const StoredCredential* entry = store_->match(registry, repository);
        if (!entry) return boxtool_plugin::Status::NotFound;
        answer.username = entry->username;
        answer.password = entry->password;
        answer.source = path_.string() + " entry \"" + entry->name + "\"";
        return boxtool_plugin::Status::Found;
    }

    std::string describe() const override { return path_.string(); }

  private:
    std::filesystem::path path_;
    StoreKeyOptions key_options_;
    std::unique_ptr<CredentialStore> store_;
};

}  // namespace
}  // namespace boxtool::plugins

BOXTOOL_CREDENTIAL_PLUGIN(boxtool::plugins::EncryptedStoreSource, "encrypted-store", "1.0")
