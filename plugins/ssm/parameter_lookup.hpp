// Which SSM parameter holds a registry's credentials, and how its value reads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace boxtool::plugins::aws {

struct ParameterSettings {
    // "parameters": {"registry.example.com": "/ci/registry-password", "quay.io/org": "/ci/quay-org"}
    std::map<std::string, std::string> by_server;  // keys normalised like docker-config keys
    // "parameter": "/boxtool/{registry}" for every registry without an entry above; {registry} is
    // the host with ':' as '_' (parameter names cannot hold ':'), {repository} the repository.
    std::string name_template;
};

// Reads "parameters" and "parameter" from the plugin's settings JSON. Throws std::runtime_error
// naming the setting when one has the wrong shape.
ParameterSettings read_parameter_settings(const std::string& settings_json);

// The parameter for `repository` on `registry`: the most specific "parameters" key first
// (host/org/repo, host/org, host), then the template. Nothing when neither applies.
std::optional<std::string> parameter_for(const ParameterSettings& settings, std::string_view registry,
                                         std::string_view repository);

struct ParameterCredential {
    std::string username;
    std::string password;  // secret
};

// A value is either JSON {"username": "...", "password": "..."} or the bare secret, paired with
// `default_username` (the "username" setting). Throws std::runtime_error naming `parameter` (never
// quoting the value) when the value is unusable or a bare secret has no username.
ParameterCredential parse_parameter_value(const std::string& value, const std::string& default_username,
                                          const std::string& parameter);

}  // namespace boxtool::plugins::aws
