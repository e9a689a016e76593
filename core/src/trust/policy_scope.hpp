// Scopes of the docker transport (containers-policy.json(5), also the keys of registries.d's
// "docker" map): an image matches its full reference, then its repository and each parent
// namespace up to the host (with its port), then wildcard domains built from the host without its
// port ("*.example.com", "*.com"). Most specific first.
#pragma once

#include <string>
#include <vector>

#include "trust/docker_name.hpp"

namespace boxtool::trust {

// The full reference: "host/ns/repo:tag" or "host/ns/repo@sha256:...".
std::string scope_identity(const DockerName& image);

// "host/ns/repo", "host/ns", "host", then "*.domain" wildcards.
std::vector<std::string> scope_namespaces(const DockerName& image);

}  // namespace boxtool::trust
