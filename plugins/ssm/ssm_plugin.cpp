// The "ssm" credential source: registry passwords kept in AWS Systems Manager Parameter Store, and
// short-lived Amazon ECR tokens, e.g.
//   {"plugin": "ssm", "region": "eu-west-1", "username": "ci-bot",
//    "parameters": {"registry.example.com": "/ci/registry-password"}}
// Settings: "parameters" (registry -> parameter name), "parameter" (a name template with
// {registry} / {repository}), "username" (for parameters holding a bare secret), "region",
// "profile", "ecr" (default true: *.dkr.ecr.*.amazonaws.com registries get GetAuthorizationToken
// tokens), "timeout" (seconds per AWS request, default 10).
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <map>
#include <sstream>

#include "aws_credentials.hpp"
#include "aws_json_api.hpp"
#include "boxtool/credential_plugin.hpp"
#include "ecr.hpp"
#include "parameter_lookup.hpp"
#include "secure_wipe.hpp"
#include "settings.hpp"

namespace boxtool::plugins::aws {
namespace {

// ECR tokens last 12 hours; one is replaced this long before it expires.
constexpr std::chrono::minutes kTokenMargin{5};

class SsmSource final : public boxtool_plugin::CredentialSource {
  public:
    explicit SsmSource(const boxtool_plugin::Host& host)
        : parameters_(read_parameter_settings(host.settings_json())),
          chain_(Settings(host.settings_json()).string("profile").value_or("")) {
        Settings settings(host.settings_json());
        username_ = settings.string("username").value_or("");
        region_ = settings.string("region").value_or("");
        ecr_ = settings.boolean("ecr").value_or(true);
        if (auto t = settings.integer("timeout")) {
            if (*t < 1 || *t > 600) throw std::runtime_error("setting \"timeout\" must be 1 to 600 seconds");
            timeout_ = static_cast<int>(*t);
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
    std::string ssm_region() {
        auto region = resolve_region(region_, chain_);
        if (region.empty())
            throw std::runtime_error(
                "no AWS region for SSM: set the source's \"region\" setting, AWS_REGION or "
                "AWS_DEFAULT_REGION, or a region in the profile \"" +
                chain_.profile() + "\"");
        return region;
    }

    const ResolvedCredentials& credentials(const std::string& what) {
        try {
            return chain_.get();
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot read " + what + ": " + e.what());
        }
    }

    // The parameter's credentials; nothing when AWS says ParameterNotFound.
    std::optional<ParameterCredential> fetch_parameter(const std::string& name) {
        ssm_region_ = ssm_region();
        const auto& creds = credentials("SSM parameter " + name);
        JsonApi api{resolve_endpoint("SSM", "https://ssm." + ssm_region_ + "." + aws_domain(ssm_region_)),
                    ssm_region_, "ssm", "AmazonSSM", timeout_};
        Poco::JSON::Object request;
        request.set("Name", name);
        request.set("WithDecryption", true);
        std::ostringstream body;
        request.stringify(body);
        std::string answer;
        try {
            answer = call_json_api(api, "GetParameter", body.str(), creds.keys);
        } catch (const AwsApiError& e) {
            if (e.type() == "ParameterNotFound" || e.type() == "ParameterVersionNotFound")
                return std::nullopt;
            throw std::runtime_error(explain("SSM parameter " + name,
                                             "ssm:GetParameter on " + name +
                                                 " (and kms:Decrypt on its key for a "
                                                 "SecureString)",
                                             e, creds.source, api.endpoint));
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot read SSM parameter " + name + ": " + e.what());
        }
        std::string value;
        try {
            auto obj = Poco::JSON::Parser().parse(answer).extract<Poco::JSON::Object::Ptr>();
            auto parameter = obj->getObject("Parameter");
            if (parameter && parameter->has("Value")) value = parameter->getValue<std::string>("Value");
        } catch (const std::exception&) {
        }
        secure_wipe(answer);
        if (value.empty())
            throw std::runtime_error("cannot read SSM parameter " + name +
                                     ": GetParameter answered without a value");
        auto credential = parse_parameter_value(value, username_, name);
        secure_wipe(value);
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
        if (it == ecr_cache_.end()) {
            const auto& creds = credentials("an ECR token for " + key);
            std::string domain = aws_domain(ecr.region);
            JsonApi api{
                resolve_endpoint("ECR", std::string("https://") + (ecr.fips ? "ecr-fips." : "api.ecr.") +
                                            ecr.region + "." + domain),
                ecr.region, "ecr", "AmazonEC2ContainerRegistry_V20150921", timeout_};
            std::string answer_body;
            try {
                answer_body = call_json_api(api, "GetAuthorizationToken", "{}", creds.keys);
            } catch (const AwsApiError& e) {
                throw std::runtime_error(explain("an ECR token for " + key, "ecr:GetAuthorizationToken", e,
                                                 creds.source, api.endpoint));
            } catch (const std::exception& e) {
                throw std::runtime_error("cannot get an ECR token for " + key + ": " + e.what());
            }
            auto token = parse_authorization_token(answer_body);
            secure_wipe(answer_body);
            it = ecr_cache_.emplace(key, std::move(token)).first;
        }
        answer.username = it->second.username;
        answer.password = it->second.password;
        answer.source =
            "ECR GetAuthorizationToken (" + ecr.region + ", credentials from " + chain_.get().source + ")";
        return boxtool_plugin::Status::Found;
    }

    // What went wrong and what to try, from an AWS error answer.
    static std::string explain(const std::string& what, const std::string& permission, const AwsApiError& e,
                               const std::string& credential_source, const std::string& endpoint) {
        std::string out = "cannot read " + what + " from " + endpoint + ": " + e.what();
        if (e.access_denied())
            out += " (access denied): the AWS identity from " + credential_source + " needs " + permission;
        else if (e.throttled())
            out +=
                " (throttled by AWS after retries): try again later, or lower the request rate of other "
                "clients";
        else if (e.bad_signature())
            out += " (AWS rejected the request's signature or keys): check the keys from " +
                   credential_source +
                   " (a wrong AWS_SECRET_ACCESS_KEY, an expired AWS_SESSION_TOKEN) and this machine's clock";
        return out;
    }

    ParameterSettings parameters_;
    AwsCredentialChain chain_;
    std::string username_, region_, ssm_region_;
    bool ecr_ = true;
    int timeout_ = 10;
    std::map<std::string, std::optional<ParameterCredential>> parameters_cache_;  // one fetch per pull
    std::map<std::string, EcrToken> ecr_cache_;                                   // until expiresAt
};

}  // namespace
}  // namespace boxtool::plugins::aws

BOXTOOL_CREDENTIAL_PLUGIN(boxtool::plugins::aws::SsmSource, "ssm", "1.0")
