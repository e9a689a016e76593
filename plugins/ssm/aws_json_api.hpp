// One call of an AWS JSON 1.1 API (SSM, ECR): a signed POST with X-Amz-Target, and the answer or
// the error AWS sent ({"__type": "...#Name", "message": "..."}).
#pragma once

#include <stdexcept>
#include <string>

#include "sigv4.hpp"

namespace boxtool::plugins::aws {

// An error answer from AWS. what() is "Name: message" (AWS's message never holds the value asked for).
class AwsApiError : public std::runtime_error {
  public:
    AwsApiError(std::string type, std::string message, int status);
    const std::string& type() const noexcept { return type_; }  // "ParameterNotFound", without namespace
    const std::string& message() const noexcept { return message_; }
    int status() const noexcept { return status_; }
    bool throttled() const;      // ThrottlingException and its kin: retry later
    bool bad_signature() const;  // InvalidSignatureException, UnrecognizedClientException, expired tokens...
    bool access_denied() const;

  private:
    std::string type_, message_;
    int status_;
};

struct JsonApi {
    std::string endpoint;       // e.g. "https://ssm.eu-west-1.amazonaws.com"
    std::string region;         // signing region
    std::string signing_name;   // "ssm", "ecr"
    std::string target_prefix;  // "AmazonSSM", "AmazonEC2ContainerRegistry_V20150921"
    int timeout_seconds = 10;
};

// POSTs `body` as operation `operation`, retrying throttling and 5xx answers twice with backoff.
// Returns the 200 answer's body; throws AwsApiError for AWS errors and std::runtime_error when the
// endpoint cannot be reached.
std::string call_json_api(const JsonApi& api, const std::string& operation, const std::string& body,
                          const AwsCredentials& credentials);

}  // namespace boxtool::plugins::aws
