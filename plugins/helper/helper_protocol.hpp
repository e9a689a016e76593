// The docker-credential-* protocol: `docker-credential-NAME get`, the server URL on stdin, JSON on
// stdout. Used by the helper plugin and by docker-config's credsStore and credHelpers.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace boxtool::plugins {

struct HelperAnswer {
    std::string username;
    std::string secret;
    bool identity_token = false;  // Username "<token>": Secret is an OAuth2 refresh token
    HelperAnswer() = default;
    HelperAnswer(const HelperAnswer&) = default;
    HelperAnswer& operator=(const HelperAnswer&) = default;
    ~HelperAnswer();
};

struct HelperLimits {
    std::chrono::milliseconds timeout{30000};  // then the helper's process group is killed
    std::size_t max_output = 64 * 1024;        // more than this on stdout or stderr is an error
};

// True for a name that can follow "docker-credential-": letters, digits, '.', '_', '-'.
bool valid_helper_name(const std::string& name);

// Runs docker-credential-`helper` get for `server_url`. Nothing when the helper says
// "credentials not found in native keychain" (or answers with an empty secret). Throws
// std::runtime_error, never containing a secret, when the helper is missing, fails, crashes,
// hangs past the timeout, prints too much or prints malformed JSON. The child gets no secret in
// its arguments or environment: BOXTOOL_* variables (store keys) are removed from its environment.
std::optional<HelperAnswer> run_credential_helper(const std::string& helper, const std::string& server_url,
                                                  const HelperLimits& limits = {});

// `docker-credential-HELPER store` with {"ServerURL", "Username", "Secret"} on stdin, as
// `docker login` does with a credsStore; `erase` with the server URL, as `docker logout` does (a
// helper that has nothing for it is not an error). Throw std::runtime_error without secrets.
void store_with_credential_helper(const std::string& helper, const std::string& server_url,
                                  const std::string& username, const std::string& secret,
                                  const HelperLimits& limits = {});
void erase_with_credential_helper(const std::string& helper, const std::string& server_url,
                                  const HelperLimits& limits = {});

}  // namespace boxtool::plugins
