/// \file
/// The seam through which credentials reach the engine. The engine asks; sources answer: the
/// command line's --creds, the plugin chain (boxtool::plugins::CredentialChain), or a class of the
/// embedder's own. Nothing here knows where a credential is stored.
///
///     class VaultCredentials final : public boxtool::CredentialProvider {
///       public:
///         boxtool::Result<std::optional<boxtool::Credential>> lookup(std::string_view registry,
///                                                                   std::string_view) override {
///             if (registry != "registry.example.com") return std::optional<boxtool::Credential>{};
///             boxtool::Credential c;
///             c.username = "ci";
///             c.password = boxtool::Secret(read_from_vault());
///             c.source = "vault";
///             return std::optional(std::move(c));
///         }
///     };
///     options.credentials = std::make_shared<VaultCredentials>();
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/error.hpp"
#include "boxtool/export.hpp"
#include "boxtool/secret.hpp"

namespace boxtool {

struct Credential {
    std::string username;
    Secret password;        ///< Basic password, or the secret sent to the token realm
    Secret identity_token;  ///< an OAuth2 refresh token (docker's "identitytoken")
    Secret registry_token;  ///< a bearer token used as is
    std::string source;     ///< where it came from, for error messages ("--creds", "docker-config ...")
};

/// Implementations must be safe to call from several threads at once (an Engine shared by threads
/// asks from each of them); the engine asks at most once per registry and repository per pull.
class BOXTOOL_API CredentialProvider {
  public:
    virtual ~CredentialProvider() = default;
    /// Credentials for a registry (normalized host, "docker.io" for Docker Hub) and repository; an
    /// empty optional when this source has none (the pull goes on anonymously or with the next
    /// source); an Error (kind Plugin, say) when the source itself failed, which stops the pull
    /// rather than silently pulling anonymously. Must not throw.
    virtual Result<std::optional<Credential>> lookup(std::string_view registry,
                                                     std::string_view repository) = 0;
    /// Human-readable list of the places this provider looks, for "credentials needed" hints.
    virtual std::vector<std::string> describe_sources() const { return {}; }
};

/// One credential for a fixed set of registries: what `--creds USER:PASS` means. Limiting it to the
/// registries the user named keeps a private password from reaching, say, the docker.io fallback.
class BOXTOOL_API StaticCredentialProvider final : public CredentialProvider {
  public:
    /// `registries` empty: every registry; otherwise only these (compared after normalization).
    explicit StaticCredentialProvider(Credential credential, std::vector<std::string> registries = {});
    Result<std::optional<Credential>> lookup(std::string_view registry, std::string_view repository) override;
    std::vector<std::string> describe_sources() const override { return {credential_.source}; }

  private:
    Credential credential_;
    std::vector<std::string> registries_;
};

/// Asks each provider in order; the first with credentials wins, the first error stops. This is how `--creds`
/// wins over the plugin chain: the command line's provider comes first.
class BOXTOOL_API LayeredCredentialProvider final : public CredentialProvider {
  public:
    explicit LayeredCredentialProvider(std::vector<std::shared_ptr<CredentialProvider>> layers);
    Result<std::optional<Credential>> lookup(std::string_view registry, std::string_view repository) override;
    std::vector<std::string> describe_sources() const override;

  private:
    std::vector<std::shared_ptr<CredentialProvider>> layers_;
};

}  // namespace boxtool
