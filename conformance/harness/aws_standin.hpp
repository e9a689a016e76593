// conformance/fixtures/aws_standin.py: AWS SSM (GetParameter), ECR (GetAuthorizationToken) and EC2
// instance metadata (IMDSv2) on one local port, checking every signature with botocore. Point the
// ssm plugin at it with AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_ECR / AWS_EC2_METADATA_SERVICE_ENDPOINT
// set to endpoint().
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/certificates.hpp"
#include "harness/process.hpp"
#include "harness/script_server.hpp"

namespace boxtool::harness {

struct AwsKey {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token{};  // when set, requests must carry it
};

struct AwsStandInOptions {
    std::vector<AwsKey> keys{};                       // accepted for SSM and ECR
    std::string region = "us-east-1";                 // SSM requests must be scoped to it
    std::map<std::string, std::string> parameters{};  // SecureString parameters: name -> value
    std::vector<std::string> denied{};                // AccessDeniedException for these names
    std::vector<std::string> throttled{};             // ThrottlingException, always
    std::optional<AwsKey> instance_role{};            // what IMDS hands out (also accepted)
    std::string role_name = "boxtool-test-role";
    int role_expires_in = 21600;  // seconds
    std::string ecr_password{};   // empty: GetAuthorizationToken is denied
    bool ecr_expires_iso8601 = false;
    std::optional<Certificate>
        tls{};  // serve HTTPS with this server certificate  // expiresAt as a string instead of a number
    std::chrono::milliseconds start_timeout{std::chrono::seconds(20)};
};

// One line of the stand-in's log.
struct AwsRequest {
    std::string service;    // ssm, ecr, imds
    std::string operation;  // GetParameter, GetAuthorizationToken, PUT, GET
    std::string detail;     // the parameter name or path; "" when none
    std::string status;     // "200", or "400:InvalidSignatureException"
    std::string note;       // PutParameter: "type=SecureString,overwrite=false,version=1"
};

// A parameter as botocore's own SSM client reads it back from the stand-in (decrypted).
struct AwsParameter {
    std::string type;  // "SecureString"
    std::string value;
    int version = 0;
    std::string error;  // the AWS error code instead, e.g. "ParameterNotFound"
};

class AwsStandIn : public ScriptServer {
  public:
    explicit AwsStandIn(AwsStandInOptions options);
    void start();
    std::string endpoint() const;  // "http://127.0.0.1:PORT", or https:// with tls
    std::vector<AwsRequest> requests() const;
    // Requests of `service` and `operation` (any if empty) that got `status` (any if empty).
    int count(std::string_view service, std::string_view operation = {}, std::string_view status = {}) const;
    // GetParameter with WithDecryption through botocore's SSM client (conformance/fixtures/aws_client.py),
    // signed with `key`: an independent reader of what boxtool wrote.
    AwsParameter botocore_get_parameter(const std::string& name, const AwsKey& key) const;
    // PutParameter (SecureString, overwriting) through botocore's SSM client: a change made behind
    // boxtool's back. Returns the new version, or throws with the script's output.
    int botocore_put_parameter(const std::string& name, const std::string& value, const AwsKey& key) const;

  private:
    harness::RunResult aws_client(const std::vector<std::string>& operation, const AwsKey& key) const;

  public:
  private:
    AwsStandInOptions options_;
};

}  // namespace boxtool::harness
