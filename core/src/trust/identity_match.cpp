#include "trust/identity_match.hpp"

namespace boxtool::trust {
namespace {

// matchRepoDigestOrExact: a tag must match exactly; an image pulled by digest matches a signature
// for any tag or digest of the same repository (the digest itself is checked against the manifest).
bool repo_digest_or_exact(const DockerName& intended, const DockerName& signature) {
    if (signature.name_only()) return false;
    if (intended.tag) return signature.str() == intended.str();
    if (intended.digest) return signature.name == intended.name;
    return false;
}

// remapIdentity: a name under `prefix` is judged as if it were under `signed_prefix`. The prefix
// matches whole path components of the name (host and port exactly).
std::optional<DockerName> remap(const IdentityRule& rule, const DockerName& image) {
    const std::string& name = image.name;
    const std::string& prefix = rule.prefix;
    bool under =
        name == prefix || (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
                           name[prefix.size()] == '/');
    if (!under) return image;
    std::string text = rule.signed_prefix + image.str().substr(prefix.size());
    // The result must already be in normalized form (docker's ParseNamed), or nothing matches.
    auto out = parse_docker_name(text);
    if (!out || out->str() != text) return std::nullopt;
    return out;
}

}  // namespace

bool identity_matches(const IdentityRule& rule, const DockerName& image, std::string_view claimed) {
    auto signature = parse_docker_name(claimed);
    if (!signature) return false;
    switch (rule.kind) {
        case IdentityRule::Kind::MatchExact:
            return !image.name_only() && !signature->name_only() && signature->str() == image.str();
        case IdentityRule::Kind::MatchRepoDigestOrExact:
            return repo_digest_or_exact(image, *signature);
        case IdentityRule::Kind::MatchRepository:
            return signature->name == image.name;
        case IdentityRule::Kind::ExactReference: {
            auto wanted = parse_docker_name(rule.docker_reference);
            return wanted && !wanted->name_only() && !signature->name_only() &&
                   signature->str() == wanted->str();
        }
        case IdentityRule::Kind::ExactRepository: {
            auto wanted = parse_docker_name(rule.docker_repository);
            return wanted && signature->name == wanted->name;
        }
        case IdentityRule::Kind::RemapIdentity: {
            auto remapped = remap(rule, image);
            return remapped && repo_digest_or_exact(*remapped, *signature);
        }
    }
    return false;
}

}  // namespace boxtool::trust
