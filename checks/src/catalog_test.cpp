#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "boxtool/checks/check.hpp"

namespace boxtool::checks {
namespace {

TEST(CheckCatalog, IdsAreUniqueStableShapedAndDocumented) {
    std::set<std::string> seen;
    const std::regex shape("^[a-z0-9]+(\\.[a-z0-9-]+)+$");
    for (const auto& c : catalog()) {
        EXPECT_TRUE(seen.insert(c.id).second) << "duplicate id " << c.id;
        EXPECT_TRUE(std::regex_match(c.id, shape)) << c.id;
        EXPECT_FALSE(c.section.empty()) << c.id;
        EXPECT_FALSE(c.title.empty()) << c.id;
    }
    // The ids the issue names are there, at the levels the spec text gives.
    for (const char* id : {"pull.manifest.get-by-digest", "auth.token.oauth2-post", "tls.expiry"})
        EXPECT_TRUE(seen.count(id)) << id;
    EXPECT_GE(catalog().size(), 60u);
}

TEST(CheckCatalog, EveryFamilyIsCovered) {
    std::set<std::string> families;
    for (const auto& c : catalog()) families.insert(c.id.substr(0, c.id.find('.')));
    EXPECT_EQ(families,
              (std::set<std::string>{"pull", "push", "discovery", "management", "auth", "tls", "behavior"}));
}

TEST(CheckCatalog, WriteChecksAreExactlyPushManagementAndReferrerListing) {
    for (const auto& c : catalog()) {
        bool expected = c.id.rfind("push.", 0) == 0 || c.id.rfind("management.", 0) == 0 ||
                        c.id == "discovery.referrers.listed";
        EXPECT_EQ(c.writes, expected) << c.id;
    }
}

TEST(CheckSelection, OnlyAndSkipGlobs) {
    EXPECT_TRUE(selected("pull.ping", {}, {}));
    EXPECT_TRUE(selected("pull.blob.range.suffix", {"pull.blob.*"}, {}));
    EXPECT_FALSE(selected("pull.ping", {"pull.blob.*"}, {}));
    EXPECT_TRUE(selected("tls.expiry", {"pull.*", "tls.*"}, {}));
    EXPECT_FALSE(selected("tls.expiry", {}, {"tls.*"}));
    EXPECT_FALSE(selected("pull.blob.range.bounded", {"pull.*"}, {"*.range.*"}));
    EXPECT_TRUE(selected("auth.token.oauth2-post", {"auth.token.oauth2-?ost"}, {}));
}

TEST(CheckSelection, OnlyMustFailuresAreRequired) {
    CheckResult r;
    r.info.level = Level::Must;
    r.outcome = Outcome::Fail;
    EXPECT_TRUE(is_required_failure(r));
    r.outcome = Outcome::Warn;
    EXPECT_FALSE(is_required_failure(r));
    r.outcome = Outcome::Fail;
    r.info.level = Level::Should;
    EXPECT_FALSE(is_required_failure(r));
    r.info.level = Level::Boxtool;
    EXPECT_FALSE(is_required_failure(r));
}

}  // namespace
}  // namespace boxtool::checks
