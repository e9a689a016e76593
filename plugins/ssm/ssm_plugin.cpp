// The "ssm" credential source: registry passwords kept in AWS Systems Manager Parameter Store, and
// short-lived Amazon ECR tokens, e.g.
//   {"plugin": "ssm", "region": "eu-west-1", "username": "ci-bot",
//    "parameters": {"registry.example.com": "/ci/registry-password"}}
// Settings: "parameters" (registry -> parameter name), "parameter" (a name template with
// {registry} / {repository}), "username" (for parameters holding a bare secret), "region",
// "profile", "ecr" (default true: *.dkr.ecr.*.amazonaws.com registries get GetAuthorizationToken
// tokens), "timeout" (seconds per AWS request, default 10).
#include <map>
#include <sstream>

#include "aws_credentials.hpp"
#include "boxtool/credential_plugin.hpp"
#include "ecr.hpp"
#include "parameter_lookup.hpp"
#include "secure_wipe.hpp"
#include "settings.hpp"
#include "ssm_api.hpp"

namespace boxtool::plugins::aws {
namespace {

// ECR tokens last 12 hours; one is replaced this long before it expires.
constexpr std::chrono::minutes kTokenMargin{5};

class SsmSource final : public boxtool_plugin::CredentialSource {
  public:
    explicit SsmSource(const boxtool_plugin::Host& host)
        : parameters_(read_parameter_settings(host.settings_json())),
          chain_(Settings(host.settings_json()).string("profile").value_or("")),
          ssm_(chain_, Settings(host.settings_json()).string("region").value_or(""), 10) {
        Settings settings(host.settings_json());
        settings.reject_unknown(
            {"parameters", "parameter", "username", "region", "profile", "ecr", "timeout"});
        username_ = settings.string("username").value_or("");
        ecr_ = settings.boolean("ecr").value_or(true);
        if (auto t = settings.integer("timeout")) {
            if (*t < 1 || *t > 600) throw std::runtime_error("setting \"timeout\" must be 1 to 600 seconds");
            timeout_ = static_cast<int>(*t);
            ssm_ = SsmClient(chain_, settings.string("region").value_or(""), timeout_);
        }
        if (username_.find(':') != std::string::npos)
            throw std::runtime_error("setting \"username\" cannot contain ':'");
    }

    ~SsmSource() override {
        for (auto& [name, value] : parameters_cache_)
            if (value) secure_wipe(value->password);
        for (auto& [name, token] : ecr_cache_) secure_wipe(token.password);
    }

    boxtool_plugin::Status get(std::string_view registry, std::string_view repository,
                               boxtool_plugin::Answer& answer) override {
        if (auto ecr = parse_ecr_host(registry); ecr && ecr_) return ecr_token(*ecr, registry, answer);
        auto parameter = parameter_for(parameters_, registry, repository);
        if (!parameter) return boxtool_plugin::Status::NotFound;
        auto it = parameters_cache_.find(*parameter);
        if (it == parameters_cache_.end())
            it = parameters_cache_.emplace(*parameter, fetch_parameter(*parameter)).first;
        if (!it->second) return boxtool_plugin::Status::NotFound;
        answer.username = it->second->username;
        answer.password = it->second->password;
        answer.source = "SSM parameter " + *parameter + " (" + ssm_region_ + ")";
        return boxtool_plugin::Status::Found;
    }

    std::string describe() const override {
        std::string out = "AWS SSM Parameter Store";
        if (!parameters_.by_server.empty() || !parameters_.name_template.empty()) {
            out += " (";
            bool first = true;
            for (const auto& [server, name] : parameters_.by_server) {
                out += (first ? "" : ", ") + server + " -> " + name;
                first = false;
            }
            if (!parameters_.name_template.empty()) out += (first ? "" : ", ") + parameters_.name_template;
            out += ")";
        }
        if (ecr_) out += " and ECR authorization tokens";
        return out;
    }

  private:
    // The parameter's credentials; nothing when AWS says ParameterNotFound.
    std::optional<ParameterCredential> fetch_parameter(const std::string& name) {
        auto value = ssm_.get_parameter(name);
        ssm_region_ = ssm_.region();
        if (!value) return std::nullopt;
        auto credential = parse_parameter_value(*value, username_, name);
        secure_wipe(*value);
        return credential;
    }

    boxtool_plugin::Status ecr_token(const EcrRegistry& ecr, std::string_view registry,
                                     boxtool_plugin::Answer& answer) {
        std::string key(registry);
        auto it = ecr_cache_.find(key);
        if (it != ecr_cache_.end() && Clock::now() + kTokenMargin >= it->second.expires) {
            secure_wipe(it->second.password);
            ecr_cache_.erase(it);
            it = ecr_cache_.end();
        }
        if (it == ecr_cache_.end())
            it = ecr_cache_.emplace(key, get_ecr_token(chain_, ecr, key, timeout_)).first;
        answer.username = it->second.username;
        answer.password = it->second.password;
        answer.source =
            "ECR GetAuthorizationToken (" + ecr.region + ", credentials from " + chain_.get().source + ")";
        return boxtool_plugin::Status::Found;
    }

    ParameterSettings parameters_;
    AwsCredentialChain chain_;
    std::string username_, ssm_region_;
    bool ecr_ = true;
    int timeout_ = 10;
    SsmClient ssm_;
    std::map<std::string, std::optional<ParameterCredential>> parameters_cache_;  // one fetch per pull
    std::map<std::string, EcrToken> ecr_cache_;                                   // until expiresAt
};

}  // namespace
}  // namespace boxtool::plugins::aws

BOXTOOL_CREDENTIAL_PLUGIN(boxtool::plugins::aws::SsmSource, "ssm", "1.0")
