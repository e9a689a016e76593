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

// One credential for a fixed set of registries: what `--creds USER:PASS` means. Limiting it to the
// registries the user named keeps a private password from reaching, say, the docker.io fallback.
class StaticCredentialProvider final : public CredentialProvider {
  public:
    // `registries` empty: every registry; otherwise only these (compared after normalization).
    explicit StaticCredentialProvider(Credential credential, std::vector<std::string> registries = {});
    std::optional<Credential> lookup(std::string_view registry, std::string_view repository) override;
    std::vector<std::string> describe_sources() const override { return {credential_.source}; }

  private:
    Credential credential_;
    std::vector<std::string> registries_;
};

// Asks each provider in order; the first with credentials wins. This is how `--creds` wins over
// the plugin chain: the command line's provider comes first.
class LayeredCredentialProvider final : public CredentialProvider {
  public:
    explicit LayeredCredentialProvider(std::vector<std::shared_ptr<CredentialProvider>> layers);
    std::optional<Credential> lookup(std::string_view registry, std::string_view repository) override;
    std::vector<std::string> describe_sources() const override;

  private:
    std::vector<std::shared_ptr<CredentialProvider>> layers_;
};

}  // namespace boxtool
