// One OCI image layout holding every image of a compose stack, each under its service name
// (org.opencontainers.image.ref.name) with the image reference it came from (io.boxtool.image.ref),
// so `skopeo copy oci:DIR:SERVICE ...` takes any of them. Built from the one-image layouts the engine
// wrote for each service (their blobs are hard links into the store, and so are the combined
// layout's), beside the target and swapped in at once: readers see the old layout or the new one.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace boxtool::cli {

inline constexpr const char* kImageRefAnnotation = "io.boxtool.image.ref";

struct StagedImage {
    std::filesystem::path layout;  // a one-image OCI layout written by Engine::pull
    std::string service;           // its ref name in the combined layout
    std::string reference;         // the image reference pulled, e.g. 127.0.0.1:5000/shop/web:2
};

// Writes `images` into the layout at `dir` (created; or, when it already is a layout, its other
// entries are kept and entries of the same services replaced). Throws Failure(Io) and leaves `dir`
// as it was when anything fails; refuses a non-empty directory that is not a layout.
void write_stack_layout(const std::filesystem::path& dir, const std::vector<StagedImage>& images);

// A fresh private directory beside `target` (same file system, so hard links work), for staging.
std::filesystem::path make_sibling_dir(const std::filesystem::path& target, const std::string& purpose);

}  // namespace boxtool::cli
