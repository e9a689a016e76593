// Test images: tools/fixtures/make_image.py writes them into an OCI layout, push_image puts them
// on a registry with their digests unchanged.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::harness {

struct ImageOptions {
    std::filesystem::path out{};  // the OCI layout directory (created, or added to)
    std::string tag = "latest";
    std::vector<std::string> platforms = {"linux/amd64"};
    bool index = false;  // an index even for one platform
    int layers = 3;
    std::uint64_t layer_size = 64 * 1024;
    std::string compression = "gzip";  // gzip | none | mixed
    std::string seed = "0";
    bool random = false;  // incompressible payload
    bool docker = false;  // Docker schema2 media types instead of OCI
    // payload (data files), features (whiteouts, links, modes...) or hostile:CASE; see
    // tools/fixtures/layer_contents.py. Compression may then also be zstd or cycle.
    std::string content = "payload";
    std::filesystem::path sentinel{};  // hostile contents: the directory outside the target they aim at
};

struct BlobInfo {
    std::string digest;
    std::uint64_t size = 0;
    std::string media_type;
    std::string diff_id;  // layers only: digest of the uncompressed tar
};

struct ManifestInfo {
    std::string platform;  // "linux/arm64"
    std::string digest;
    std::uint64_t size = 0;
    std::string media_type;
    BlobInfo config;
    std::vector<BlobInfo> layers;
};

struct ImageInfo {
    std::string tag;
    std::filesystem::path layout;
    std::string digest;  // of what the tag points at: the index, or the only manifest
    std::uint64_t size = 0;
    std::string media_type;
    std::vector<ManifestInfo> manifests;  // one per platform, in the order asked for

    bool is_index() const;
    // Throws std::out_of_range if the image has no such platform.
    const ManifestInfo& manifest_for(std::string_view platform) const;
};

// Runs make_image.py and parses its summary; throws std::runtime_error with its stderr on failure.
ImageInfo make_image(const ImageOptions& options);
// Parses make_image.py's JSON summary.
ImageInfo parse_image_summary(const std::string& json);

struct Credentials {
    std::string username;
    std::string password;
};

// Pushes tag `tag` of an OCI layout to a test registry as `repo_and_tag`, keeping digests:
// skopeo copy --all for OCI media types (plain HTTP, or HTTPS without verifying the certificate),
// push_layout.py for Docker ones (plain HTTP only; skopeo 1.9 cannot read Docker-typed descriptors
// from an OCI layout). Throws std::runtime_error with the tool's output.
void push_image(const std::filesystem::path& layout_dir, const std::string& tag,
                const std::string& registry_host, const std::string& repo_and_tag,
                const std::optional<Credentials>& creds = std::nullopt);

// make_image, then push_image of its tag; returns what make_image made.
ImageInfo make_and_push(const ImageOptions& options, const std::string& registry_host,
                        const std::string& repo_and_tag,
                        const std::optional<Credentials>& creds = std::nullopt);

}  // namespace boxtool::harness
