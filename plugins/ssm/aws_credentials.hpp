// Where the ssm plugin gets AWS keys, in the SDKs' order: the environment, the shared credentials
// and config files (profiles), then EC2 instance metadata (IMDSv2). Temporary credentials are kept
// until shortly before they expire. Also the region and endpoints, resolved as the SDKs do.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "aws_time.hpp"
#include "sigv4.hpp"

namespace boxtool::plugins::aws {

struct ResolvedCredentials {
    AwsCredentials keys;
    std::string source;                        // e.g. "environment", "profile ci in FILE", "instance role R"
    std::optional<Clock::time_point> expires;  // for temporary credentials
};

// INI sections of an AWS shared file: section name -> key -> value. Missing file: empty.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile parse_aws_ini(const std::string& text);

class AwsCredentialChain {
  public:
    // `profile` is the plugin's "profile" setting ("" to use AWS_PROFILE, else "default").
    explicit AwsCredentialChain(std::string profile);

    // The first source with keys, cached until 5 minutes before expiry. Throws
    // std::runtime_error listing where it looked when none has any, or when a source is broken
    // (half-set environment, named profile missing, metadata service answering garbage).
    const ResolvedCredentials& get();

    // The profile's "region" from the config file, if any.
    std::optional<std::string> profile_region() const;
    const std::string& profile() const noexcept { return profile_; }

  private:
    std::optional<ResolvedCredentials> from_environment() const;
    std::optional<ResolvedCredentials> from_profile() const;
    std::optional<ResolvedCredentials> from_instance_metadata(std::string& why_not) const;

    std::string profile_;
    bool profile_explicit_ = false;
    std::optional<ResolvedCredentials> cached_;
};

// Region: the setting, then AWS_REGION, AWS_DEFAULT_REGION, then the profile's. Empty if none.
std::string resolve_region(const std::string& setting, const AwsCredentialChain& chain);

// The endpoint for `service_env` ("SSM", "ECR"): AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL
// (both ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), then `fallback`.
std::string resolve_endpoint(const std::string& service_env, const std::string& fallback);

// "amazonaws.com", or "amazonaws.com.cn" for China regions.
std::string aws_domain(const std::string& region);

}  // namespace boxtool::plugins::aws
