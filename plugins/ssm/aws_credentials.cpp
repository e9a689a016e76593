#include "aws_credentials.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "aws_http.hpp"
#include "secure_wipe.hpp"

namespace boxtool::plugins::aws {
namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string home_file(const char* env_name, const char* default_name) {
    auto set = env(env_name);
    if (!set.empty()) return set;
    auto home = env("HOME");
    return (std::filesystem::path(home.empty() ? "/" : home) / ".aws" / default_name).string();
}

IniFile read_ini(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_aws_ini(text.str());
}

bool is_true(const std::string& v) {
    return v == "true" || v == "TRUE" || v == "True" || v == "1";
}

// Instance metadata should answer within a second on EC2; elsewhere it should not delay a pull.
constexpr std::chrono::milliseconds kMetadataTimeout{2000};
// Temporary credentials are replaced this long before they expire, as the SDKs do.
constexpr std::chrono::minutes kRefreshMargin{5};

}  // namespace

IniFile parse_aws_ini(const std::string& text) {
    IniFile out;
    std::string section;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) continue;  // nested sub-settings
        auto t = trim(line);
        if (t.empty() || t[0] == '#' || t[0] == ';') continue;
        if (t.front() == '[' && t.back() == ']') {
            section = trim(t.substr(1, t.size() - 2));
            out[section];
            continue;
        }
        auto eq = t.find('=');
        if (eq == std::string::npos || section.empty()) continue;
        out[section][trim(t.substr(0, eq))] = trim(t.substr(eq + 1));
    }
    return out;
}

AwsCredentialChain::AwsCredentialChain(std::string profile) : profile_(std::move(profile)) {
    profile_explicit_ = !profile_.empty();
    if (profile_.empty()) profile_ = env("AWS_PROFILE");
    if (profile_.empty()) profile_ = env("AWS_DEFAULT_PROFILE");
    if (!profile_.empty()) profile_explicit_ = true;
    if (profile_.empty()) profile_ = "default";
}

std::optional<ResolvedCredentials> AwsCredentialChain::from_environment() const {
    auto id = env("AWS_ACCESS_KEY_ID");
    auto secret = env("AWS_SECRET_ACCESS_KEY");
    if (id.empty() && secret.empty()) return std::nullopt;
    if (id.empty() || secret.empty())
        throw std::runtime_error(
            std::string("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (only ") +
            (id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is)");
    return ResolvedCredentials{
        {id, secret, env("AWS_SESSION_TOKEN")}, "the environment (AWS_ACCESS_KEY_ID)", {}};
}

std::optional<ResolvedCredentials> AwsCredentialChain::from_profile() const {
    auto credentials_path = home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    auto config_path = home_file("AWS_CONFIG_FILE", "config");
    auto credentials = read_ini(credentials_path);
    auto config = read_ini(config_path);
    const std::map<std::string, std::string>* section = nullptr;
    std::string where;
    if (auto it = credentials.find(profile_); it != credentials.end()) {
        section = &it->second;
        where = credentials_path;
    }
    const std::map<std::string, std::string>* config_section = nullptr;
    if (auto it = config.find("profile " + profile_); it != config.end())
        config_section = &it->second;
    else if (auto d = config.find(profile_); profile_ == "default" && d != config.end())
        config_section = &d->second;
    auto has_keys = [](const auto* s) {
        return s && s->count("aws_access_key_id") && s->count("aws_secret_access_key");
    };
    if (!has_keys(section) && has_keys(config_section)) {
        section = config_section;
        where = config_path;
    }
    if (!has_keys(section)) {
        if (profile_explicit_ && !section && !config_section)
            throw std::runtime_error("AWS profile \"" + profile_ + "\" is in neither " + credentials_path +
                                     " nor " + config_path +
                                     "; check AWS_PROFILE or the plugin's \"profile\" setting");
        return std::nullopt;
    }
    ResolvedCredentials out;
    out.keys.access_key_id = section->at("aws_access_key_id");
    out.keys.secret_access_key = section->at("aws_secret_access_key");
    if (auto t = section->find("aws_session_token"); t != section->end()) out.keys.session_token = t->second;
    out.source = "profile \"" + profile_ + "\" in " + where;
    return out;
}

std::optional<ResolvedCredentials> AwsCredentialChain::from_instance_metadata(std::string& why_not) const {
    if (is_true(env("AWS_EC2_METADATA_DISABLED"))) {
        why_not = "disabled by AWS_EC2_METADATA_DISABLED";
        return std::nullopt;
    }
    auto base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (base.empty()) base = "http://169.254.169.254";
    while (!base.empty() && base.back() == '/') base.pop_back();
    HttpResponse token;
    try {
        token = http_send({"PUT",
                           base + "/latest/api/token",
                           {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}},
                           "",
                           kMetadataTimeout});
    } catch (const std::exception& e) {
        why_not = "not reachable (" + std::string(e.what()) + ")";
        return std::nullopt;
    }
    if (token.status != 200) {
        why_not = base + " refused an IMDSv2 session token (HTTP " + std::to_string(token.status) + ")";
        return std::nullopt;
    }
    auto get = [&](const std::string& path) {
        return http_send(
            {"GET", base + path, {{"X-aws-ec2-metadata-token", token.body}}, "", kMetadataTimeout});
    };
    const std::string roles_path = "/latest/meta-data/iam/security-credentials/";
    auto roles = get(roles_path);
    if (roles.status == 404) {
        secure_wipe(token.body);
        why_not = "the instance has no IAM role";
        return std::nullopt;
    }
    if (roles.status != 200)
        throw std::runtime_error("EC2 instance metadata (" + base + ") answered HTTP " +
                                 std::to_string(roles.status) + " for " + roles_path);
    auto role = trim(roles.body.substr(0, roles.body.find('\n')));
    auto answer = get(roles_path + role);
    secure_wipe(token.body);
    if (answer.status != 200)
        throw std::runtime_error("EC2 instance metadata (" + base + ") answered HTTP " +
                                 std::to_string(answer.status) + " for the credentials of role " + role);
    ResolvedCredentials out;
    try {
        auto obj = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Object::Ptr>();
        secure_wipe(answer.body);
        auto code = obj->optValue<std::string>("Code", "Success");
        if (code != "Success")
            throw std::runtime_error("EC2 instance metadata reports " + code +
                                     " for the credentials of role " + role);
        out.keys.access_key_id = obj->getValue<std::string>("AccessKeyId");
        out.keys.secret_access_key = obj->getValue<std::string>("SecretAccessKey");
        out.keys.session_token = obj->optValue<std::string>("Token", "");
        out.expires = parse_iso8601(obj->optValue<std::string>("Expiration", ""));
    } catch (const Poco::Exception&) {
        secure_wipe(answer.body);
        throw std::runtime_error("EC2 instance metadata (" + base +
                                 ") answered malformed credentials for role " + role);
    }
    if (!out.expires)
        throw std::runtime_error("EC2 instance metadata (" + base + ") gave credentials for role " + role +
                                 " without a valid Expiration");
    out.source = "EC2 instance metadata (role " + role + ")";
    return out;
}

const ResolvedCredentials& AwsCredentialChain::get() {
    if (cached_ && (!cached_->expires || Clock::now() + kRefreshMargin < *cached_->expires)) return *cached_;
    if (cached_) {
        secure_wipe(cached_->keys.secret_access_key);
        secure_wipe(cached_->keys.session_token);
        cached_.reset();
    }
    if ((cached_ = from_environment())) return *cached_;
    if ((cached_ = from_profile())) return *cached_;
    std::string why_not;
    if ((cached_ = from_instance_metadata(why_not))) return *cached_;
    throw std::runtime_error(
        "no AWS credentials found: looked in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), "
        "profile \"" +
        profile_ + "\" of " + home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials") + " and " +
        home_file("AWS_CONFIG_FILE", "config") + ", and EC2 instance metadata (" + why_not +
        "); set one of them up, or give this source a \"registries\" list so it is only asked about AWS "
        "registries");
}

std::optional<std::string> AwsCredentialChain::profile_region() const {
    auto config = read_ini(home_file("AWS_CONFIG_FILE", "config"));
    auto it = config.find("profile " + profile_);
    if (it == config.end() && profile_ == "default") it = config.find("default");
    if (it == config.end()) return std::nullopt;
    auto r = it->second.find("region");
    if (r == it->second.end() || r->second.empty()) return std::nullopt;
    return r->second;
}

std::string resolve_region(const std::string& setting, const AwsCredentialChain& chain) {
    if (!setting.empty()) return setting;
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
        if (auto v = env(name); !v.empty()) return v;
    return chain.profile_region().value_or("");
}

std::string resolve_endpoint(const std::string& service_env, const std::string& fallback) {
    if (is_true(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) return fallback;
    if (auto v = env(("AWS_ENDPOINT_URL_" + service_env).c_str()); !v.empty()) return v;
    if (auto v = env("AWS_ENDPOINT_URL"); !v.empty()) return v;
    return fallback;
}

std::string aws_domain(const std::string& region) {
    return region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
}

}  // namespace boxtool::plugins::aws
