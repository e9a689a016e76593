#include "registry/upload.hpp"

#include <gtest/gtest.h>

namespace boxtool::registry {
namespace {

TEST(TagPages, NextLinkFromTheLinkHeader) {
    EXPECT_EQ(next_link(R"(</v2/a/tags/list?n=2&last=b>; rel="next")"), "/v2/a/tags/list?n=2&last=b");
    EXPECT_EQ(next_link(R"(</v2/a/tags/list?last=b>;rel=next)"), "/v2/a/tags/list?last=b");
    EXPECT_EQ(next_link(R"(<https://r.example/v2/a/tags/list?last=b>; rel="next")"),
              "https://r.example/v2/a/tags/list?last=b");
    // Several links: only the next one counts.
    EXPECT_EQ(next_link(R"(</v2/a/tags/list?last=a>; rel="prev", </v2/a/tags/list?last=c>; rel="next")"),
              "/v2/a/tags/list?last=c");
    EXPECT_EQ(next_link(""), "");
    EXPECT_EQ(next_link(R"(</v2/a/tags/list?last=a>; rel="prev")"), "");
    EXPECT_EQ(next_link("</v2/unterminated"), "");
}

TEST(PushScope, PushOnTheDestinationAndPullOnTheMountSource) {
    EXPECT_EQ(push_scope("team/app"), "repository:team/app:pull,push");
    EXPECT_EQ(push_scope("team/app", "team/base"), "repository:team/app:pull,push repository:team/base:pull");
    EXPECT_EQ(push_scope("team/app", "team/app"), "repository:team/app:pull,push");
}

}  // namespace
}  // namespace boxtool::registry
