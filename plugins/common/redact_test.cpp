#include "redact.hpp"

#include <gtest/gtest.h>

namespace boxtool::plugins {
namespace {

TEST(Redact, HidesTokenLikeWordsAndKeepsTheFirstLine) {
    EXPECT_EQ(redact_for_display("error: bad token eyJhbGciOiJFUzI1NiJ9.abc123def456\nsecond line"),
              "error: bad token <redacted>");
    EXPECT_EQ(redact_for_display("  gpg: decryption failed: No secret key"),
              "gpg: decryption failed: No secret key");
    EXPECT_EQ(redact_for_display("password s3cr3t-P4ssw0rd-value rejected"), "password <redacted> rejected");
    EXPECT_LE(redact_for_display(std::string(1000, 'x')).size(), 203u);
    EXPECT_EQ(redact_for_display("bell\a here"), "bell? here");
}

}  // namespace
}  // namespace boxtool::plugins
