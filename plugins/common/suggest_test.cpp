#include "suggest.hpp"

#include <gtest/gtest.h>

namespace boxtool::text {
namespace {

const std::vector<std::string> kKeys = {"image_registries",   "insecure_registries", "store", "plugin_dirs",
                                        "credential_sources", "credential_links",    "policy"};

TEST(Suggest, EditDistanceCountsInsertionsDeletionsSubstitutionsAndTranspositions) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("store", "store"), 0u);
    EXPECT_EQ(edit_distance("stor", "store"), 1u);
    EXPECT_EQ(edit_distance("stores", "store"), 1u);
    EXPECT_EQ(edit_distance("stare", "store"), 1u);
    EXPECT_EQ(edit_distance("sotre", "store"), 1u);  // one transposition, not two substitutions
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Suggest, TyposGetTheIntendedName) {
    EXPECT_EQ(closest_match("stor", kKeys), "store");
    EXPECT_EQ(closest_match("image_registry", kKeys), "image_registries");
    EXPECT_EQ(closest_match("credential_link", kKeys), "credential_links");
    EXPECT_EQ(closest_match("credentail_sources", kKeys), "credential_sources");
    EXPECT_EQ(closest_match("Policy", kKeys), "policy");  // case alone
    EXPECT_EQ(did_you_mean("polcy", kKeys), " (did you mean \"policy\"?)");
}

TEST(Suggest, NothingCloseSuggestsNothing) {
    EXPECT_FALSE(closest_match("registries", {"store", "policy"}));
    EXPECT_FALSE(closest_match("x", {"store"}));
    EXPECT_FALSE(closest_match("timeout", {}));
    EXPECT_EQ(did_you_mean("banana", kKeys), "");
    // The exact name is not a suggestion for itself.
    EXPECT_FALSE(closest_match("store", {"store"}));
}

TEST(Suggest, ShortNamesAllowOneEditOnly) {
    EXPECT_EQ(closest_match("ecx", {"ecr"}), "ecr");
    EXPECT_FALSE(closest_match("abc", {"ecr"}));
}

TEST(Suggest, TheClosestWinsAndTiesGoToTheFirst) {
    EXPECT_EQ(closest_match("timeot", {"timeout", "tee_key"}), "timeout");
    EXPECT_EQ(closest_match("pat", {"path", "part"}), "path");
}

}  // namespace
}  // namespace boxtool::text
