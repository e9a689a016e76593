// Writes an OCI image layout from the store: built beside the target and swapped in at the end,
// so a failure leaves the target as it was.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "boxtool/digest.hpp"

namespace boxtool::output {

struct LayoutImage {
    std::string manifest_media_type;
    Digest manifest_digest;
    std::string manifest_bytes;  // written as a blob of its own
    // Config and layers: the verified files to link or copy, each once.
    std::vector<std::pair<Digest, std::filesystem::path>> blobs;
    std::string ref_name;  // org.opencontainers.image.ref.name; empty for none
};

// Throws Failure(Io) unless `dir` is missing, an empty directory, or an OCI layout.
void check_layout_target(const std::filesystem::path& dir);

// Adds the image to the layout at `dir` (creating it, or merging into an existing layout where an
// entry with the same ref name is replaced). Refuses a non-empty directory that is not a layout.
void write_oci_layout(const std::filesystem::path& dir, const LayoutImage& image);

}  // namespace boxtool::output
