/// \file
/// OCI and Docker manifests and indexes, as far as a puller needs them.
///
///     auto manifest = boxtool::parse_manifest(bytes, content_type);   // validates every descriptor
///     if (!manifest) return fail(manifest.error());                   // InvalidManifest, with the field
///     for (const boxtool::Descriptor& blob : boxtool::blobs_of(*manifest))
///         std::cout << blob.digest.str() << " " << blob.size << "\n";
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/error.hpp"
#include "boxtool/export.hpp"
#include "boxtool/platform.hpp"

namespace boxtool {

namespace media_type {
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
}  // namespace media_type

inline constexpr std::size_t kMaxManifestBytes = 4 * 1024 * 1024;

struct Descriptor {
    std::string media_type;
    Digest digest;
    std::uint64_t size = 0;
    std::optional<Platform> platform;
    std::map<std::string, std::string> annotations;
};

struct Index {
    std::string media_type;
    std::vector<Descriptor> manifests;
};

struct Manifest {
    std::string media_type;
    Descriptor config;
    std::vector<Descriptor> layers;
};

BOXTOOL_API bool is_index_media_type(std::string_view media_type);
BOXTOOL_API bool is_manifest_media_type(std::string_view media_type);

/// Parse bytes served with a Content-Type; the JSON's own mediaType wins when present. Validates
/// digests, sizes and media types. Errors are InvalidManifest.
BOXTOOL_API Result<Index> parse_index(std::string_view json, std::string_view content_type);
BOXTOOL_API Result<Manifest> parse_manifest(std::string_view json, std::string_view content_type);

/// The blobs an image needs: its config, then its layers, each digest once (an image may repeat a
/// layer, an empty one say).
BOXTOOL_API std::vector<Descriptor> blobs_of(const Manifest& manifest);

/// Chooses the best manifest for a platform; NoMatchingPlatform lists what is available.
BOXTOOL_API Result<Descriptor> select_platform(const Index& index, const Platform& wanted);

}  // namespace boxtool
