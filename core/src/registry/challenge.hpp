// WWW-Authenticate parsing (RFC 7235): several challenges per header, quoted values with commas
// and escapes, case-insensitive scheme and parameter names.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::registry {

struct Challenge {
    std::string scheme;                         // lower-case: "basic", "bearer", ...
    std::map<std::string, std::string> params;  // lower-case names: realm, service, scope, error, ...
    std::string param(const std::string& name) const {
        auto it = params.find(name);
        return it == params.end() ? std::string() : it->second;
    }
};

std::vector<Challenge> parse_challenges(std::string_view header);
// All challenges from every WWW-Authenticate header value.
std::vector<Challenge> parse_challenges(const std::vector<std::string>& headers);

}  // namespace boxtool::registry
