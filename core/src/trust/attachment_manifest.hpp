// The OCI manifest that carries sigstore signatures (the sha256-<digest>.sig tag, or a referrer):
// its layers' media types, digests, sizes and annotations. Separate from the fetching so that
// hostile manifests can be fuzzed alone.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/digest.hpp"

namespace boxtool::trust {

inline constexpr std::size_t kMaxAttachmentLayers = 128;

struct AttachmentLayer {
    std::string media_type;
    Digest digest;
    std::uint64_t size = 0;
    std::map<std::string, std::string> annotations;
};

// Throws JsonError for a manifest that is not an OCI image manifest with well-formed layers, or
// that lists more than kMaxAttachmentLayers.
std::vector<AttachmentLayer> parse_attachment_manifest(std::string_view json);

}  // namespace boxtool::trust
