// Where a pulled image is written: "oci:DIR[:TAG]" (later: docker-archive, rootfs).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "boxtool/error.hpp"

namespace boxtool {

struct OutputSpec {
    enum class Kind { OciLayout };
    Kind kind = Kind::OciLayout;
    std::filesystem::path path;
    std::string tag;  // ref name in index.json; empty means "use the reference's tag or digest"
};

Result<OutputSpec> parse_output_spec(std::string_view text);

}  // namespace boxtool
