// The flags that shape how layers are unpacked (rootfs and docker-archive outputs).
#pragma once

#include <cstdint>
#include <string>

#include "args.hpp"
#include "boxtool/output.hpp"

namespace boxtool::cli {

// --rootless, --unpack-max-bytes SIZE, --unpack-max-entries N
void add_unpack_flags(FlagSpec& spec);
// Throws Failure(InvalidArgument) on a malformed value.
void apply_unpack_flags(const Args& args, OutputSpec& output);
// "512M", "64G", "1000" (bytes); K, M, G, T are powers of 1024. Throws Failure(InvalidArgument).
std::uint64_t parse_size(const std::string& flag, const std::string& text);

}  // namespace boxtool::cli
