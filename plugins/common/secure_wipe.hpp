// Overwriting secrets before their memory is released: the ABI helper's wipe, under the name the
// plugins' own code uses.
#pragma once

#include <string>

#include "boxtool/credential_plugin.hpp"

namespace boxtool::plugins {

inline void secure_wipe(std::string& s) noexcept {
    boxtool_plugin::wipe(s);
}

}  // namespace boxtool::plugins
