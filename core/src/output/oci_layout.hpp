// Writes an OCI image layout from the store: built beside the target and swapped in at the end,
// so a failure leaves the target as it was.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "boxtool/store.hpp"

namespace boxtool::output {

struct LayoutImage {
    std::string manifest_media_type;
    Digest manifest_digest;
    std::uint64_t manifest_size = 0;
    std::vector<Digest> blobs;  // config and layers (the manifest is added automatically)
    std::string ref_name;       // org.opencontainers.image.ref.name; empty for none
};

// Adds the image to the layout at `dir` (creating it, or merging into an existing layout where an
// entry with the same ref name is replaced). Refuses a non-empty directory that is not a layout.
void write_oci_layout(const Store& store, const std::filesystem::path& dir, const LayoutImage& image);

}  // namespace boxtool::output
