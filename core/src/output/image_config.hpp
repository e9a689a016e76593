// What the outputs need from an image config: the diff_ids of its layers.
#pragma once

#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/manifest.hpp"
#include "output/blob_files.hpp"

namespace boxtool::output {

// The config's rootfs.diff_ids, one per manifest layer. Throws Failure(InvalidManifest) when the
// config is unreadable or its diff_ids do not match the manifest's layers.
std::vector<Digest> read_diff_ids(const BlobFiles& blobs, const Manifest& manifest);

}  // namespace boxtool::output
