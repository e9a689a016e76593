// Overwriting secrets before their memory is released.
#pragma once

#include <string>

namespace boxtool::plugins {

inline void secure_wipe(std::string& s) noexcept {
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
    s.clear();
}

}  // namespace boxtool::plugins
