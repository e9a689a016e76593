// The single-file outputs: oci-archive (a tar of an OCI image layout, as skopeo's oci-archive:)
// and docker-archive (the tarball `docker save` writes and `docker load` / `podman load` read).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "boxtool/manifest.hpp"
#include "boxtool/output.hpp"
#include "output/blob_files.hpp"
#include "output/oci_layout.hpp"

namespace boxtool::output {

void write_oci_archive(const std::filesystem::path& file, const LayoutImage& image);

// Layers are stored uncompressed, named by their diff_id, which is checked while decompressing
// (the docker-archive format has no compressed layers: their file digests are the diff_ids).
// `repo_tags` ("registry/repo:tag") may be empty, e.g. for a pull by digest.
// `on_layer(i, done)` is called before and after layer i is decompressed (for progress).
void write_docker_archive(const BlobFiles& blobs, const std::filesystem::path& file, const Manifest& manifest,
                          const std::vector<std::string>& repo_tags, const UnpackLimits& limits,
                          const std::function<void(std::size_t, bool)>& on_layer);

}  // namespace boxtool::output
