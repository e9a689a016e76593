// The token service's answer (distribution's token spec and OAuth2): the token is "token" or
// "access_token"; it lives "expires_in" seconds (60 when less or absent) from "issued_at" (from
// now when absent or when the clocks plainly disagree).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "boxtool/secret.hpp"

namespace boxtool::registry {

struct TokenResponse {
    Secret token;
    std::chrono::seconds expires_in{60};
    std::optional<std::chrono::system_clock::time_point> issued_at;
    Secret refresh_token;  // OAuth2 servers may return one; empty otherwise

    // How long the token stays valid from `now`: expires_in counted from issued_at when issued_at
    // lies within the last expires_in seconds; otherwise (no date, or clocks that disagree) from now.
    std::chrono::seconds remaining(std::chrono::system_clock::time_point now) const;
};

// Nothing when the body is not JSON or holds no token.
std::optional<TokenResponse> parse_token_response(const std::string& body);

// Whether `token` is an RFC 6750 b64token (1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
// *"="), the only shape that may follow "Bearer " in a header: anything else (a CR/LF above all)
// could inject headers or requests.
bool is_bearer_token(std::string_view token);

// "2024-01-02T03:04:05Z", with optional fractional seconds and a Z or +HH:MM offset (RFC 3339).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

}  // namespace boxtool::registry
