// Rules of the reference, digest, platform and manifest formats that the engine applies but
// embedders do not need: kept out of the public headers, shared by core's files and tests.
#pragma once

#include <string>
#include <string_view>

#include "boxtool/platform.hpp"

namespace boxtool {

// The host[:port] to connect to: "registry-1.docker.io" for Docker Hub, the host itself otherwise.
std::string registry_endpoint(std::string_view registry);
// Whether a host can start a reference as its registry (contains '.', ':' or is "localhost").
bool looks_like_registry(std::string_view component);
// Validates algorithm and hex length, as parse_digest() does.
bool is_valid_digest(std::string_view text);
// How well `candidate` serves `wanted`: 0 = not at all, higher is better (exact variant best).
int platform_match_score(const Platform& wanted, const Platform& candidate);
// The media type declared by the document, or the Content-Type if it has none.
std::string detect_media_type(std::string_view json, std::string_view content_type);

}  // namespace boxtool
