#include "args.hpp"

#include <gtest/gtest.h>

namespace boxtool::cli {
namespace {

const FlagSpec kSpec{{"--registry", "--output"}, {"-q", "--password-stdin"}};

TEST(Args, ValuesSwitchesAndPositionals) {
    Args a({"alpine", "--registry", "a.example", "--registry=b.example", "-q", "--output=oci:x:y"}, kSpec);
    EXPECT_EQ(a.positionals(), std::vector<std::string>{"alpine"});
    EXPECT_EQ(a.all("--registry"), (std::vector<std::string>{"a.example", "b.example"}));
    EXPECT_EQ(a.last("--output"), "oci:x:y");
    EXPECT_TRUE(a.has("-q"));
    EXPECT_FALSE(a.has("--password-stdin"));
    EXPECT_FALSE(a.last("--nothing"));
}

TEST(Args, DoubleDashEndsFlags) {
    Args a({"--", "-q", "--registry"}, kSpec);
    EXPECT_EQ(a.positionals(), (std::vector<std::string>{"-q", "--registry"}));
    EXPECT_FALSE(a.has("-q"));
}

TEST(Args, MistakesAreUsageErrors) {
    EXPECT_THROW(Args({"--unknown"}, kSpec), UsageError);
    EXPECT_THROW(Args({"--registry"}, kSpec), UsageError);
    EXPECT_THROW(Args({"--password-stdin=yes"}, kSpec), UsageError);
    try {
        Args({"--frob"}, kSpec);
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("--frob"), std::string::npos);
    }
}

}  // namespace
}  // namespace boxtool::cli
