// The AWS calls boxtool makes for registry secrets, shared by the ssm plugin, the encrypted store's
// SSM- and ECR-backed entries and `boxtool registry add --backend ssm`: Parameter Store's
// GetParameter, PutParameter and DeleteParameter, and ECR's GetAuthorizationToken. Each is a SigV4
// signed JSON 1.1 call (call_json_api) with keys from an AwsCredentialChain; AWS errors become
// messages that name the parameter (never its value), the identity's source and what to try.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws_credentials.hpp"
#include "aws_json_api.hpp"
#include "ecr.hpp"

namespace boxtool::plugins::aws {

class SsmClient {
  public:
    // `region`: "" resolves as the SDKs do (AWS_REGION, AWS_DEFAULT_REGION, the profile's region).
    // The chain is borrowed: the caller keeps it (and its cached keys) alive.
    SsmClient(AwsCredentialChain& chain, std::string region, int timeout_seconds);

    // The region requests go to. Throws std::runtime_error when none is configured anywhere.
    const std::string& region();
    std::string endpoint();

    // The decrypted value (WithDecryption), or nothing when AWS answers ParameterNotFound.
    // Throws std::runtime_error for every other failure. The caller wipes the value.
    std::optional<std::string> get_parameter(const std::string& name);
    // Writes `value` as a SecureString (encrypted with the account's default KMS key for SSM).
    // Without `overwrite`, an existing parameter is an error (ParameterAlreadyExists) and stays.
    void put_secure_string(const std::string& name, const std::string& value, bool overwrite,
                           const std::string& description);
    // True when deleted, false when AWS says there was no such parameter.
    bool delete_parameter(const std::string& name);

  private:
    std::string call(const std::string& operation, const std::string& body, const std::string& what,
                     const std::string& permission);

    AwsCredentialChain* chain_;
    std::string region_setting_, region_;
    int timeout_;
};

// A GetAuthorizationToken answer for `ecr` (the registry `registry` as written, for messages).
// Throws std::runtime_error naming the permission when AWS refuses.
EcrToken get_ecr_token(AwsCredentialChain& chain, const EcrRegistry& ecr, std::string_view registry,
                       int timeout_seconds);

// Whether `name` is a valid Parameter Store name: 1-2048 of letters, digits and "_.-/", a path
// ("/a/b") starting with '/', not starting with "aws" or "ssm" (reserved by AWS).
bool valid_parameter_name(std::string_view name);

}  // namespace boxtool::plugins::aws
