#include "harness/aws_standin.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "harness/paths.hpp"
#include "harness/process.hpp"

namespace boxtool::harness {
namespace {

std::string key_spec(const AwsKey& key) {
    if (key.access_key_id.find(':') != std::string::npos ||
        key.secret_access_key.find(':') != std::string::npos)
        throw std::invalid_argument("stand-in AWS keys cannot contain ':'");
    return key.access_key_id + ":" + key.secret_access_key +
           (key.session_token.empty() ? "" : ":" + key.session_token);
}

}  // namespace

AwsStandIn::AwsStandIn(AwsStandInOptions options)
    : ScriptServer("AWS stand-in", "boxtool-aws", "aws.log", "aws_standin.out"),
      options_(std::move(options)) {}

void AwsStandIn::start() {
    std::vector<std::string> args = {"--region",          options_.region,
                                     "--imds-role",       options_.role_name,
                                     "--imds-expires-in", std::to_string(options_.role_expires_in)};
    for (const auto& key : options_.keys) args.insert(args.end(), {"--key", key_spec(key)});
    for (const auto& [name, value] : options_.parameters)
        args.insert(args.end(), {"--parameter", name + "=" + value});
    for (const auto& name : options_.denied) args.insert(args.end(), {"--deny", name});
    for (const auto& name : options_.throttled) args.insert(args.end(), {"--throttle", name});
    if (options_.instance_role) {
        if (options_.instance_role->session_token.empty())
            throw std::invalid_argument("instance role credentials need a session token");
        args.insert(args.end(), {"--imds-key", key_spec(*options_.instance_role)});
    }
    if (!options_.ecr_password.empty()) args.insert(args.end(), {"--ecr-password", options_.ecr_password});
    if (options_.ecr_expires_iso8601) args.insert(args.end(), {"--ecr-expires-format", "iso"});
    if (options_.tls)
        args.insert(args.end(),
                    {"--tls-cert", options_.tls->cert.string(), "--tls-key", options_.tls->key.string()});
    launch("conformance/fixtures/aws_standin.py", args, options_.start_timeout);
}

std::string AwsStandIn::endpoint() const {
    return (options_.tls ? "https://" : "http://") + host();
}

std::vector<AwsRequest> AwsStandIn::requests() const {
    std::vector<AwsRequest> out;
    std::ifstream in(log_path());
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        AwsRequest r;
        if (!(fields >> r.service >> r.operation >> r.detail >> r.status)) continue;
        fields >> r.note;
        if (r.detail == "-") r.detail.clear();
        out.push_back(std::move(r));
    }
    return out;
}

int AwsStandIn::count(std::string_view service, std::string_view operation, std::string_view status) const {
    int n = 0;
    for (const auto& r : requests())
        if (r.service == service && (operation.empty() || r.operation == operation) &&
            (status.empty() || r.status == status))
            ++n;
    return n;
}

RunResult AwsStandIn::aws_client(const std::vector<std::string>& operation, const AwsKey& key) const {
    RunOptions options;
    options.env = {{"AWS_ACCESS_KEY_ID", key.access_key_id},
                   {"AWS_SECRET_ACCESS_KEY", key.secret_access_key}};
    if (!key.session_token.empty()) options.env["AWS_SESSION_TOKEN"] = key.session_token;
    options.unset_env = {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM"};
    if (key.session_token.empty()) options.unset_env.push_back("AWS_SESSION_TOKEN");
    std::vector<std::string> argv{
        python().string(), fixture_script("conformance/fixtures/aws_client.py").string(),
        "--endpoint",      endpoint(),
        "--region",        options_.region};
    argv.insert(argv.end(), operation.begin(), operation.end());
    auto r = run(argv, options);
    if (r.exit_code != 0) throw std::runtime_error("aws_client.py failed: " + r.describe());
    return r;
}

AwsParameter AwsStandIn::botocore_get_parameter(const std::string& name, const AwsKey& key) const {
    auto r = aws_client({"get-parameter", name}, key);
    auto obj = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    AwsParameter out;
    out.error = obj->optValue<std::string>("Error", "");
    out.type = obj->optValue<std::string>("Type", "");
    out.value = obj->optValue<std::string>("Value", "");
    out.version = obj->optValue<int>("Version", 0);
    return out;
}

int AwsStandIn::botocore_put_parameter(const std::string& name, const std::string& value,
                                       const AwsKey& key) const {
    auto r = aws_client({"put-parameter", name, value}, key);
    auto obj = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    if (obj->has("Error")) throw std::runtime_error("PutParameter failed: " + r.out);
    return obj->optValue<int>("Version", 0);
}

}  // namespace boxtool::harness
