#include "resource_uri.hpp"

#include <gtest/gtest.h>

namespace boxtool::plugins::kbs {
namespace {

TEST(ResourceUri, EmptyHostMeansTheConfiguredKbs) {
    auto uri = parse_resource_uri("kbs:///default/credential/registry-auth");
    EXPECT_EQ(uri.host, "");
    EXPECT_EQ(uri.path(), "/kbs/v0/resource/default/credential/registry-auth");
    auto named = parse_resource_uri("kbs://kbs.internal:8080/team/cred/auth.json");
    EXPECT_EQ(named.host, "kbs.internal:8080");
    EXPECT_EQ(named.tag, "auth.json");
}

TEST(ResourceUri, MalformedUrisSayWhatIsExpected) {
    for (const char* bad :
         {"https:///default/credential/x", "kbs:///default/credential", "kbs:///a/b/c/d", "kbs:///default//x",
          "kbs:///default/../x", "kbs:///a/b/c?x=1", "kbs:/default/c/x"}) {
        SCOPED_TRACE(bad);
        try {
            parse_resource_uri(bad);
            FAIL() << "accepted";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("kbs:///REPOSITORY/TYPE/TAG"), std::string::npos)
                << e.what();
        }
    }
}

}  // namespace
}  // namespace boxtool::plugins::kbs
