#include "unpack_flags.hpp"

#include <gtest/gtest.h>

namespace boxtool::cli {
namespace {

TEST(UnpackFlags, SizesTakeSuffixes) {
    EXPECT_EQ(parse_size("--unpack-max-bytes", "1000"), 1000u);
    EXPECT_EQ(parse_size("--unpack-max-bytes", "16M"), 16u << 20);
    EXPECT_EQ(parse_size("--unpack-max-bytes", "2G"), 2ULL << 30);
    EXPECT_EQ(parse_size("--unpack-max-bytes", "1TiB"), 1ULL << 40);
    for (const char* bad : {"", "0", "-1", "12X", "M", "99999999999999999999"})
        EXPECT_THROW(parse_size("--unpack-max-bytes", bad), Failure) << bad;
}

TEST(UnpackFlags, AppliedToTheOutput) {
    FlagSpec spec;
    add_unpack_flags(spec);
    Args args({"--rootless", "--unpack-max-bytes", "1G", "--unpack-max-entries=500"}, spec);
    OutputSpec out;
    apply_unpack_flags(args, out);
    EXPECT_TRUE(out.rootless);
    EXPECT_EQ(out.limits.max_total_bytes, 1ULL << 30);
    EXPECT_EQ(out.limits.max_entries, 500u);
    Args bad({"--unpack-max-entries", "lots"}, spec);
    EXPECT_THROW(apply_unpack_flags(bad, out), Failure);
}

TEST(UnpackFlags, DefaultsWithoutFlags) {
    FlagSpec spec;
    add_unpack_flags(spec);
    Args args({}, spec);
    OutputSpec out;
    apply_unpack_flags(args, out);
    EXPECT_FALSE(out.rootless);
    EXPECT_EQ(out.limits.max_total_bytes, UnpackLimits{}.max_total_bytes);
}

}  // namespace
}  // namespace boxtool::cli
