// Reading a small file whose digest is known (a manifest or config kept in the store), trusting
// nothing about it: the bytes come back only if they hash to that digest.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "boxtool/digest.hpp"

namespace boxtool::util {

// The bytes of `file` if it is a regular file (a symlink at that path is not followed), holds at
// most `max_bytes`, and hashes to `digest`; nothing otherwise. `own_only`: a file of another user
// is refused too (the store's rule for what it hands out).
std::optional<std::string> read_verified_file(const std::filesystem::path& file, const Digest& digest,
                                              std::size_t max_bytes, bool own_only = false);

}  // namespace boxtool::util
