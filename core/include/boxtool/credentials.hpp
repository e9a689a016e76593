// The seam through which credentials reach the engine. The engine asks; sources (the command line,
// later the plugin chain) answer. Nothing here knows where a credential is stored.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/secret.hpp"

namespace boxtool {

struct Credential {
    std::string username;
    Secret password;        // Basic password, or the secret sent to the token realm
    Secret identity_token;  // an OAuth2 refresh token (docker's "identitytoken")
    Secret registry_token;  // a bearer token used as is
    std::string source;     // where it came from, for error messages ("--creds", "docker-config ...")
};

class CredentialProvider {
  public:
    virtual ~CredentialProvider() = default;
    // Credentials for a registry (normalized host, "docker.io" for Docker Hub) and repository,
    // or nothing. A real failure of the source is thrown as boxtool::Failure (kind Plugin).
    virtual std::optional<Credential> lookup(std::string_view registry, std::string_view repository) = 0;
    // Human-readable list of the places this provider looks, for "credentials needed" hints.
    virtual std::vector<std::string> describe_sources() const { return {}; }
};

// One credential for every registry a pull contacts: what `--creds USER:PASS` means.
class StaticCredentialProvider final : public CredentialProvider {
  public:
    explicit StaticCredentialProvider(Credential credential) : credential_(std::move(credential)) {}
    std::optional<Credential> lookup(std::string_view, std::string_view) override { return credential_; }
    std::vector<std::string> describe_sources() const override { return {credential_.source}; }

  private:
    Credential credential_;
};

}  // namespace boxtool
