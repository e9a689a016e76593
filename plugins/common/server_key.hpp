// How docker and podman match a registry to the keys of an auth file, shared by every source that
// stores credentials per server (docker-config, encrypted-store, kbs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace boxtool::plugins {

// Normalizes a key as written by `docker login`, `podman login` or a user:
//   "https://index.docker.io/v1/" -> "docker.io"      (scheme and docker's /v1/ path dropped)
//   "registry-1.docker.io"        -> "docker.io"      (Docker Hub aliases are one registry)
//   "http://127.0.0.1:5000"       -> "127.0.0.1:5000"
//   "quay.io/org/repo/"           -> "quay.io/org/repo" (podman's namespace-scoped keys keep paths)
// Keys with a scheme are reduced to their host, as docker does; the host is lower-cased.
// Returns "" for a key that names no host.
std::string normalize_server_key(std::string_view key);

// The keys that may hold credentials for `repository` on `registry`, most specific first:
// quay.io/org/team/repo, quay.io/org/team, quay.io/org, quay.io.
std::vector<std::string> lookup_keys(std::string_view registry, std::string_view repository);

// The server URL docker passes to a credential helper for `registry`: Docker Hub's historic
// "https://index.docker.io/v1/", the host itself for everything else.
std::string helper_server_url(std::string_view registry);

}  // namespace boxtool::plugins
