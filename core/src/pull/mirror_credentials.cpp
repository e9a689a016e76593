#include "pull/mirror_credentials.hpp"

namespace boxtool::pull {

MirrorCredentials::MirrorCredentials(std::shared_ptr<CredentialProvider> inner, Candidate candidate)
    : inner_(std::move(inner)), candidate_(std::move(candidate)) {}

Result<std::optional<Credential>> MirrorCredentials::lookup(std::string_view registry,
                                                            std::string_view repository) {
    auto own = inner_->lookup(registry, repository);
    if (!own || own->has_value()) return own;
    // Only the candidate's own registry may borrow, and only from the upstream the policy named.
    if (normalize_registry(registry) != candidate_.reference.registry) return std::optional<Credential>{};
    auto upstream = inner_->lookup(candidate_.credentials_from, repository);
    if (upstream && upstream->has_value())
        (*upstream)->source += " (of " + candidate_.credentials_from + ", trusted by the policy)";
    return upstream;
}

std::vector<std::string> MirrorCredentials::describe_sources() const {
    return inner_->describe_sources();
}

std::shared_ptr<CredentialProvider> credentials_for(const std::shared_ptr<CredentialProvider>& inner,
                                                    const Candidate& candidate) {
    if (!inner || candidate.credentials_from.empty()) return inner;
    return std::make_shared<MirrorCredentials>(inner, candidate);
}

}  // namespace boxtool::pull
