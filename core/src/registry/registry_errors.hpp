// Turns a registry's HTTP answer into a typed error that says what happened and what to try next.
#pragma once

#include <string>
#include <vector>

#include "boxtool/error.hpp"
#include "http/http_client.hpp"

namespace boxtool::registry {

struct ErrorContext {
    std::string registry;
    std::string repository;
    std::string object;  // "manifest sha256:..", "tag latest", "blob sha256:.."
    bool had_credentials = false;
    std::string credential_source;  // where the rejected credentials came from
    // Where credentials were looked for (CredentialProvider::describe_sources()), for the message
    // when none were found; empty when no source is configured.
    std::vector<std::string> credential_sources = {};
};

// "looked in: A, B" or "no credential source is configured".
std::string describe_credential_search(const std::vector<std::string>& sources);

Failure registry_error(const http::Response& response, const ErrorContext& ctx);

// The first error code in a distribution error document ({"errors":[{"code":..,"message":..}]}).
std::string error_code(const std::string& body, std::string* message = nullptr);

}  // namespace boxtool::registry
