// Credentials for one candidate. A mirror is asked only for its own credentials, unless the policy
// names the upstream in `credentials_from`: only then may the upstream's credentials reach it.
#pragma once

#include <memory>

#include "boxtool/credentials.hpp"
#include "boxtool/policy.hpp"

namespace boxtool::pull {

class MirrorCredentials final : public CredentialProvider {
  public:
    MirrorCredentials(std::shared_ptr<CredentialProvider> inner, Candidate candidate);
    Result<std::optional<Credential>> lookup(std::string_view registry, std::string_view repository) override;
    std::vector<std::string> describe_sources() const override;

  private:
    std::shared_ptr<CredentialProvider> inner_;
    Candidate candidate_;
};

// The provider a candidate's session uses: `inner` itself, or a MirrorCredentials when the
// candidate may receive an upstream's credentials. Null when there are no credentials at all.
std::shared_ptr<CredentialProvider> credentials_for(const std::shared_ptr<CredentialProvider>& inner,
                                                    const Candidate& candidate);

}  // namespace boxtool::pull
