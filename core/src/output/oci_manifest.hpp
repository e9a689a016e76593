// Docker schema 2 manifests rewritten with OCI media types, as skopeo does when writing an OCI layout:
// the config and layers are the same bytes, only the manifest (and so its digest) changes.
#pragma once

#include <string>

#include "boxtool/manifest.hpp"

namespace boxtool::output {

std::string oci_media_type_for(std::string_view media_type);
// The manifest as OCI JSON text. An OCI manifest is returned unchanged by the caller instead.
std::string to_oci_manifest_json(const Manifest& manifest);

}  // namespace boxtool::output
