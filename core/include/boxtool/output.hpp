// Where a pulled image is written: "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]",
// "docker-archive:FILE[:NAME:TAG]" or "rootfs:DIR".
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "boxtool/error.hpp"

namespace boxtool {

// Ceilings against decompression bombs, counted over the uncompressed tar streams of all layers.
struct UnpackLimits {
    std::uint64_t max_total_bytes = 64ULL << 30;  // 64 GiB of uncompressed layer data
    std::uint64_t max_entries = 2'000'000;        // tar entries over all layers
};

struct OutputSpec {
    enum class Kind { OciLayout, OciArchive, DockerArchive, Rootfs };
    Kind kind = Kind::OciLayout;
    std::filesystem::path path;
    // oci / oci-archive: ref name in index.json; docker-archive: the RepoTags tag. Empty means
    // "use the reference's tag or digest".
    std::string tag;
    std::string name;       // docker-archive only: the RepoTags name; empty means the reference's
    bool rootless = false;  // rootfs: skip ownership and device nodes (forced when not root)
    UnpackLimits limits;    // rootfs and docker-archive: what decompressing layers may produce
};

Result<OutputSpec> parse_output_spec(std::string_view text);

// "rootfs:DIR", "oci:DIR:TAG"... as the user would write it back.
std::string to_string(const OutputSpec& spec);

}  // namespace boxtool
