// Amazon ECR: which registries are ECR's, and the registry password inside a
// GetAuthorizationToken answer (base64 "AWS:password", valid until expiresAt).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws_time.hpp"

namespace boxtool::plugins::aws {

struct EcrRegistry {
    std::string account;  // 12 digits
    std::string region;
    bool fips = false;
};

// ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn] (any :port ignored); nothing for other hosts.
std::optional<EcrRegistry> parse_ecr_host(std::string_view registry);

struct EcrToken {
    std::string username;  // "AWS"
    std::string password;  // secret
    Clock::time_point expires;
};

// The first authorizationData entry. expiresAt may be epoch seconds (a JSON number, as the JSON
// protocol sends it) or an ISO 8601 string. Throws std::runtime_error (never quoting the token).
EcrToken parse_authorization_token(const std::string& answer);

}  // namespace boxtool::plugins::aws
