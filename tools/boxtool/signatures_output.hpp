// `boxtool inspect --signatures`: what was found for an image and what the policy made of each.
#pragma once

#include <string>

#include "boxtool/trust.hpp"

namespace boxtool::cli {

// JSON: the image, the policy's scope and verdict, and one entry per signature found with whether it
// verifies (and why not). Text from registries and lookasides is JSON-escaped.
std::string signatures_json(const SignatureReport& report);

}  // namespace boxtool::cli
