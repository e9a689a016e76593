#include "ssm_api.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "secure_wipe.hpp"

namespace boxtool::plugins::aws {
namespace {

// What went wrong and what to try, from an AWS error answer.
std::string explain(const std::string& what, const std::string& permission, const AwsApiError& e,
                    const std::string& credential_source, const std::string& endpoint) {
    std::string out = "cannot " + what + " at " + endpoint + ": " + e.what();
    if (e.access_denied())
        out += " (access denied): the AWS identity from " + credential_source + " needs " + permission;
    else if (e.throttled())
        out +=
            " (throttled by AWS after retries): try again later, or lower the request rate of other clients";
    else if (e.bad_signature())
        out += " (AWS rejected the request's signature or keys): check the keys from " + credential_source +
               " (a wrong AWS_SECRET_ACCESS_KEY, an expired AWS_SESSION_TOKEN) and this machine's clock";
    return out;
}

const ResolvedCredentials& keys_for(AwsCredentialChain& chain, const std::string& what) {
    try {
        return chain.get();
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot " + what + ": " + e.what());
    }
}

std::string json_text(const Poco::JSON::Object& obj) {
    std::ostringstream s;
    obj.stringify(s);
    return s.str();
}

}  // namespace

SsmClient::SsmClient(AwsCredentialChain& chain, std::string region, int timeout_seconds)
    : chain_(&chain), region_setting_(std::move(region)), timeout_(timeout_seconds) {}

const std::string& SsmClient::region() {
    if (region_.empty()) {
        region_ = resolve_region(region_setting_, *chain_);
        if (region_.empty())
            throw std::runtime_error(
                "no AWS region for SSM: set the source's \"region\" setting (or --region), AWS_REGION or "
                "AWS_DEFAULT_REGION, or a region in the profile \"" +
                chain_->profile() + "\"");
    }
    return region_;
}

std::string SsmClient::endpoint() {
    return resolve_endpoint("SSM", "https://ssm." + region() + "." + aws_domain(region()));
}

std::string SsmClient::call(const std::string& operation, const std::string& body, const std::string& what,
                            const std::string& permission) {
    const auto& creds = keys_for(*chain_, what);
    JsonApi api{endpoint(), region(), "ssm", "AmazonSSM", timeout_};
    try {
        return call_json_api(api, operation, body, creds.keys);
    } catch (const AwsApiError& e) {
        if (e.type() == "ParameterNotFound" || e.type() == "ParameterVersionNotFound") throw;
        throw std::runtime_error(explain(what, permission, e, creds.source, api.endpoint));
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot " + what + ": " + e.what());
    }
}

std::optional<std::string> SsmClient::get_parameter(const std::string& name) {
    Poco::JSON::Object request;
    request.set("Name", name);
    request.set("WithDecryption", true);
    std::string answer;
    try {
        answer = call("GetParameter", json_text(request), "read SSM parameter " + name,
                      "ssm:GetParameter on " + name + " (and kms:Decrypt on its key for a SecureString)");
    } catch (const AwsApiError&) {
        return std::nullopt;  // ParameterNotFound: call() rethrows only that
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
    return value;
}

void SsmClient::put_secure_string(const std::string& name, const std::string& value, bool overwrite,
                                  const std::string& description) {
    Poco::JSON::Object request(Poco::JSON_PRESERVE_KEY_ORDER);
    request.set("Name", name);
    request.set("Value", value);
    request.set("Type", "SecureString");
    request.set("Overwrite", overwrite);
    if (!description.empty()) request.set("Description", description);
    std::string body = json_text(request);
    try {
        call("PutParameter", body, "write SSM parameter " + name,
             "ssm:PutParameter on " + name + " (and kms:Encrypt with the account's SSM key)");
    } catch (...) {
        secure_wipe(body);
        throw;
    }
    secure_wipe(body);
}

bool SsmClient::delete_parameter(const std::string& name) {
    Poco::JSON::Object request;
    request.set("Name", name);
    try {
        call("DeleteParameter", json_text(request), "delete SSM parameter " + name,
             "ssm:DeleteParameter on " + name);
    } catch (const AwsApiError&) {
        return false;  // ParameterNotFound
    }
    return true;
}

EcrToken get_ecr_token(AwsCredentialChain& chain, const EcrRegistry& ecr, std::string_view registry,
                       int timeout_seconds) {
    std::string what = "get an ECR token for " + std::string(registry);
    const auto& creds = keys_for(chain, what);
    std::string domain = aws_domain(ecr.region);
    JsonApi api{resolve_endpoint("ECR", std::string("https://") + (ecr.fips ? "ecr-fips." : "api.ecr.") +
                                            ecr.region + "." + domain),
                ecr.region, "ecr", "AmazonEC2ContainerRegistry_V20150921", timeout_seconds};
    std::string answer;
    try {
        answer = call_json_api(api, "GetAuthorizationToken", "{}", creds.keys);
    } catch (const AwsApiError& e) {
        throw std::runtime_error(explain(what, "ecr:GetAuthorizationToken", e, creds.source, api.endpoint));
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot " + what + ": " + e.what());
    }
    auto token = parse_authorization_token(answer);
    secure_wipe(answer);
    return token;
}

bool valid_parameter_name(std::string_view name) {
    if (name.empty() || name.size() > 2048) return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-' && c != '/')
            return false;
    if (name.find('/') != std::string_view::npos && name.front() != '/') return false;
    if (name.find("//") != std::string_view::npos || name.back() == '/') return false;
    std::string first(name.substr(name.front() == '/' ? 1 : 0, 3));
    std::transform(first.begin(), first.end(), first.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return first != "aws" && first != "ssm";
}

}  // namespace boxtool::plugins::aws
