/// \file
/// The four built-in outputs, named as the CLI names them: "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]",
/// "docker-archive:FILE[:NAME:TAG]" or "rootfs:DIR". Each is an OutputSink (output_sink.hpp) that a
/// caller passes to Engine::pull(); the engine itself writes no output.
///
///     auto spec = boxtool::parse_output_spec("rootfs:/srv/app");      // or fill an OutputSpec
///     auto sink = boxtool::make_output(*spec);                        // checks the target now
///     if (!sink) return fail(sink.error());
///     boxtool::PullOptions options;
///     options.outputs.push_back(*sink);
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "boxtool/error.hpp"
#include "boxtool/export.hpp"
#include "boxtool/output_sink.hpp"

namespace boxtool {

/// Ceilings against decompression bombs, counted over the uncompressed tar streams of all layers.
struct UnpackLimits {
    std::uint64_t max_total_bytes = 64ULL << 30;  ///< 64 GiB of uncompressed layer data
    std::uint64_t max_entries = 2'000'000;        ///< tar entries over all layers
};

struct OutputSpec {
    enum class Kind { OciLayout, OciArchive, DockerArchive, Rootfs };
    Kind kind = Kind::OciLayout;
    std::filesystem::path path;
    /// oci / oci-archive: ref name in index.json; docker-archive: the RepoTags tag. Empty means
    /// "use the reference's tag or digest".
    std::string tag;
    std::string name;       ///< docker-archive only: the RepoTags name; empty means the reference's
    bool rootless = false;  ///< rootfs: skip ownership and device nodes (forced when not root)
    UnpackLimits limits;    ///< rootfs and docker-archive: what decompressing layers may produce
};

BOXTOOL_API Result<OutputSpec> parse_output_spec(std::string_view text);

/// "rootfs:DIR", "oci:DIR:TAG"... as the user would write it back.
BOXTOOL_API std::string to_string(const OutputSpec& spec);

/// The sink for `spec`. Checks the target before anything is downloaded: a rootfs directory must
/// be missing or empty; an OCI layout directory missing, empty or already a layout (the image is
/// added to it); an archive's folder must exist or be creatable. Each output is built beside its
/// target and renamed into place by finish(), so a failed pull leaves the target as it was.
/// A sink serves one pull at a time.
BOXTOOL_API Result<std::shared_ptr<OutputSink>> make_output(const OutputSpec& spec);

}  // namespace boxtool
