/// \file
/// Platforms ("os/arch[/variant]") and the compatibility rules used to choose from an index.
///
///     auto p = boxtool::parse_platform("linux/aarch64");     // normalized: linux/arm64
///     auto chosen = boxtool::select_platform(index, p.value());  // manifest.hpp
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "boxtool/error.hpp"
#include "boxtool/export.hpp"

namespace boxtool {

struct Platform {
    std::string os;
    std::string architecture;
    std::string variant;  ///< normalized: "v8" for arm64 is dropped, arm defaults to "v7"

    BOXTOOL_API std::string str() const;
    bool operator==(const Platform&) const = default;
};

/// Parses "os/arch[/variant]" and normalizes aliases (x86_64 -> amd64, aarch64 -> arm64, ...).
BOXTOOL_API Result<Platform> parse_platform(std::string_view text);
/// Normalizes a platform as read from an index.
BOXTOOL_API Platform normalize_platform(Platform p);
/// The platform of the running machine.
BOXTOOL_API Platform host_platform();

}  // namespace boxtool
