// signedIdentity rules: whether the image name a verified signature claims is acceptable for the
// image being pulled (containers-policy.json(5), with containers/image's exact semantics).
#pragma once

#include <string_view>

#include "trust/docker_name.hpp"
#include "trust/policy_document.hpp"

namespace boxtool::trust {

// `image` is the name the image is pulled under (with its tag, or its digest); `claimed` is the
// signature's docker-reference as written. An unparsable claim never matches.
bool identity_matches(const IdentityRule& rule, const DockerName& image, std::string_view claimed);

}  // namespace boxtool::trust
