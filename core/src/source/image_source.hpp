// Where a push or copy reads an image from: an OCI layout (oci:DIR[:TAG]), an OCI archive
// (oci-archive:FILE[:TAG]), a docker-archive (docker-archive:FILE[:NAME:TAG]) or a registry
// (docker://REF). Every source hands out manifests verified against their digests, and blobs as
// files whose content the uploader verifies while streaming them.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "boxtool/digest.hpp"
#include "boxtool/manifest.hpp"

namespace boxtool::source {

// The manifest or index the source names.
struct RootDocument {
    std::string media_type;
    std::string body;
    Digest digest;
};

class ImageSource {
  public:
    virtual ~ImageSource() = default;
    virtual std::string describe() const = 0;  // "oci:DIR:TAG", for messages
    virtual RootDocument root() = 0;
    // A manifest the root index lists, checked against its digest (and 4 MiB cap).
    virtual std::string manifest(const Descriptor& descriptor) = 0;
    // A file holding the blob's bytes (not yet verified: the upload verifies as it streams).
    virtual std::filesystem::path blob_file(const Descriptor& descriptor) = 0;
    // For a registry source: the registry and repository blobs live in, so a push to the same
    // registry can mount them rather than copy them.
    virtual std::optional<std::pair<std::string, std::string>> registry_repository() const { return {}; }
};

// A local source from its transport text; `scratch` is a folder for unpacked archives that the
// caller removes afterwards. Throws Failure(InvalidArgument) for an unknown transport.
std::unique_ptr<ImageSource> open_local_source(const std::string& text, const std::filesystem::path& scratch);

// Whether text names a local transport (oci:, oci-archive:, docker-archive:).
bool is_local_transport(const std::string& text);

// Reads a small file whole (manifests, index.json), refusing more than `max_bytes`.
std::string read_small_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace boxtool::source
