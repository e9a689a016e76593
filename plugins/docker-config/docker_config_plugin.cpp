// The "docker-config" credential source: docker's config.json and containers' auth.json files.
// Settings: "files" (a list replacing the default search), "helper_timeout" in seconds (default 30).
// Per file: credHelpers[registry], then credsStore, then auths (most specific namespace key first).
#include <map>
#include <memory>

#include "auth_file.hpp"
#include "auth_file_paths.hpp"
#include "boxtool/credential_plugin.hpp"
#include "helper_protocol.hpp"
#include "server_key.hpp"
#include "settings.hpp"

namespace boxtool::plugins {
namespace {

class DockerConfigSource final : public boxtool_plugin::CredentialSource {
  public:
    explicit DockerConfigSource(const boxtool_plugin::Host& host) {
        Settings settings(host.settings_json());
        settings.reject_unknown({"files", "helper_timeout"});
        if (auto files = settings.strings("files"))
            files_.assign(files->begin(), files->end());
        else
            files_ = default_auth_files();
        if (auto t = settings.integer("helper_timeout")) {
            if (*t < 1 || *t > 600)
                throw std::runtime_error("setting \"helper_timeout\" must be 1 to 600 seconds");
            limits_.timeout = std::chrono::seconds(*t);
        }
    }

    boxtool_plugin::Status get(std::string_view registry, std::string_view repository,
                               boxtool_plugin::Answer& answer) override {
        for (const auto& path : files_) {
            const AuthFile* file = load(path);
            if (!file) continue;
            if (auto helper = file->helper_for(registry)) {
                if (from_helper(*helper, registry, answer)) {
                    answer.source = path.string() + " credHelpers -> docker-credential-" + *helper;
                    return boxtool_plugin::Status::Found;
                }
            } else if (!file->creds_store.empty() && from_helper(file->creds_store, registry, answer)) {
                answer.source = path.string() + " credsStore -> docker-credential-" + file->creds_store;
                return boxtool_plugin::Status::Found;
            }
            if (const AuthEntry* entry = file->find(registry, repository)) {
                answer.username = entry->username;
                answer.password = entry->password;
                answer.identity_token = entry->identity_token;
                answer.registry_token = entry->registry_token;
                if (!entry->identity_token.empty()) answer.password.clear();
                answer.source = path.string() + " auths[\"" + entry->key + "\"]";
                return boxtool_plugin::Status::Found;
            }
        }
        return boxtool_plugin::Status::NotFound;
    }

    std::string describe() const override {
        std::string out;
        for (const auto& f : files_) out += (out.empty() ? "" : ", ") + f.string();
        return out;
    }

  private:
    // The parsed file, or nullptr when it does not exist. A file that exists but cannot be read
    // or parsed is an error: silently ignoring it would hide why a pull is unauthorized.
    const AuthFile* load(const std::filesystem::path& path) {
        auto it = parsed_.find(path.string());
        if (it == parsed_.end()) {
            auto file = read_auth_file(path);
            it = parsed_.emplace(path.string(), file ? std::make_unique<AuthFile>(std::move(*file)) : nullptr)
                     .first;
        }
        return it->second.get();
    }

    bool from_helper(const std::string& helper, std::string_view registry, boxtool_plugin::Answer& answer) {
        std::string key = helper + "\n" + helper_server_url(registry);
        auto it = helper_answers_.find(key);
        if (it == helper_answers_.end())
            it = helper_answers_
                     .emplace(key, run_credential_helper(helper, helper_server_url(registry), limits_))
                     .first;
        if (!it->second) return false;
        if (it->second->identity_token)
            answer.identity_token = it->second->secret;
        else {
            answer.username = it->second->username;
            answer.password = it->second->secret;
        }
        return true;
    }

    std::vector<std::filesystem::path> files_;
    HelperLimits limits_;
    std::map<std::string, std::unique_ptr<AuthFile>> parsed_;
    std::map<std::string, std::optional<HelperAnswer>> helper_answers_;
};

}  // namespace
}  // namespace boxtool::plugins

BOXTOOL_CREDENTIAL_PLUGIN(boxtool::plugins::DockerConfigSource, "docker-config", "1.0")
