// The "helper" credential source: one docker-credential-NAME program, e.g.
//   {"plugin": "helper", "helper": "ecr-login", "registries": ["*.dkr.ecr.*.amazonaws.com"]}
// Settings: "helper" (required), "timeout" in seconds (default 30).
#include <map>

#include "boxtool/credential_plugin.hpp"
#include "helper_protocol.hpp"
#include "server_key.hpp"
#include "settings.hpp"

namespace boxtool::plugins {
namespace {

class HelperSource final : public boxtool_plugin::CredentialSource {
  public:
    explicit HelperSource(const boxtool_plugin::Host& host) {
        Settings settings(host.settings_json());
        settings.reject_unknown({"helper", "timeout"});
        auto helper = settings.string("helper");
        if (!helper)
            throw std::runtime_error(
                "setting \"helper\" is required (e.g. \"pass\" for docker-credential-pass)");
        if (!valid_helper_name(*helper))
            throw std::runtime_error("setting \"helper\": \"" + *helper + "\" is not a helper name");
        helper_ = *helper;
        if (auto t = settings.integer("timeout")) {
            if (*t < 1 || *t > 600) throw std::runtime_error("setting \"timeout\" must be 1 to 600 seconds");
            limits_.timeout = std::chrono::seconds(*t);
        }
    }

    boxtool_plugin::Status get(std::string_view registry, std::string_view,
                               boxtool_plugin::Answer& answer) override {
        std::string url = helper_server_url(registry);
        auto it = cache_.find(url);
        if (it == cache_.end()) it = cache_.emplace(url, run_credential_helper(helper_, url, limits_)).first;
        if (!it->second) return boxtool_plugin::Status::NotFound;
        if (it->second->identity_token)
            answer.identity_token = it->second->secret;
        else {
            answer.username = it->second->username;
            answer.password = it->second->secret;
        }
        answer.source = "docker-credential-" + helper_;
        return boxtool_plugin::Status::Found;
    }

    std::string describe() const override { return "docker-credential-" + helper_; }

  private:
    std::string helper_;
    HelperLimits limits_;
    std::map<std::string, std::optional<HelperAnswer>> cache_;  // one run per server per pull
};

}  // namespace
}  // namespace boxtool::plugins

BOXTOOL_CREDENTIAL_PLUGIN(boxtool::plugins::HelperSource, "helper", "1.0")
