#include "registry/token_response.hpp"

#include <gtest/gtest.h>

namespace boxtool::registry {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

TEST(TokenResponse, TokenOrAccessToken) {
    auto a = parse_token_response(R"({"token":"t1","expires_in":300})");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->token.reveal(), "t1");
    EXPECT_EQ(a->expires_in, seconds(300));
    auto b = parse_token_response(R"({"access_token":"t2","refresh_token":"r2"})");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->token.reveal(), "t2");
    EXPECT_EQ(b->refresh_token.reveal(), "r2");
    // Both present: "token" wins (the distribution spec's name).
    EXPECT_EQ(parse_token_response(R"({"token":"a","access_token":"b"})")->token.reveal(), "a");
}

TEST(TokenResponse, BearerTokenSyntaxIsRfc6750) {
    EXPECT_TRUE(is_bearer_token("abc.DEF-123_~+/"));
    EXPECT_TRUE(is_bearer_token("dG9rZW4="));
    EXPECT_TRUE(is_bearer_token("a=="));
    EXPECT_FALSE(is_bearer_token(""));
    EXPECT_FALSE(is_bearer_token("="));
    EXPECT_FALSE(is_bearer_token("abc\r\nX-Injected: 1"));
    EXPECT_FALSE(is_bearer_token("abc\n"));
    EXPECT_FALSE(is_bearer_token("a b"));
    EXPECT_FALSE(is_bearer_token("a=b"));
    EXPECT_FALSE(is_bearer_token("tok\x1b]0;x\x07"));
}

TEST(TokenResponse, MissingOrMalformedIsNothing) {
    EXPECT_FALSE(parse_token_response(""));
    EXPECT_FALSE(parse_token_response("not json"));
    EXPECT_FALSE(parse_token_response("[]"));
    EXPECT_FALSE(parse_token_response(R"({"expires_in":60})"));
    EXPECT_FALSE(parse_token_response(R"({"token":42})"));
    EXPECT_FALSE(parse_token_response(R"({"token":""})"));
}

TEST(TokenResponse, LifetimeBelowSixtySecondsIsSixty) {
    EXPECT_EQ(parse_token_response(R"({"token":"t","expires_in":1})")->expires_in, seconds(60));
    EXPECT_EQ(parse_token_response(R"({"token":"t"})")->expires_in, seconds(60));
}

TEST(TokenResponse, IssuedAtShortensTheRemainingLifetime) {
    auto r = parse_token_response(R"({"token":"t","expires_in":300,"issued_at":"2024-05-01T10:00:00Z"})");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->issued_at);
    auto issued = *r->issued_at;
    EXPECT_EQ(r->remaining(issued), seconds(300));
    EXPECT_EQ(r->remaining(issued + seconds(100)), seconds(200));
    // A server clock ahead of ours does not lengthen the lifetime; one so far behind that the
    // token would be dead on arrival is clock skew, not age: counted from now.
    EXPECT_EQ(r->remaining(issued - seconds(50)), seconds(300));
    EXPECT_EQ(r->remaining(issued + seconds(400)), seconds(300));
}

TEST(TokenResponse, Rfc3339Dates) {
    auto epoch = [](long long s) { return system_clock::time_point(seconds(s)); };
    EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), epoch(0));
    EXPECT_EQ(parse_rfc3339("2024-05-01T10:00:00Z"), epoch(1714557600));
    EXPECT_EQ(parse_rfc3339("2024-05-01T10:00:00.123456789Z"), epoch(1714557600));
    EXPECT_EQ(parse_rfc3339("2024-05-01T12:00:00+02:00"), epoch(1714557600));
    EXPECT_EQ(parse_rfc3339("2024-05-01T08:30:00-01:30"), epoch(1714557600));
    EXPECT_FALSE(parse_rfc3339("2024-05-01 10:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("2024-13-01T10:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("2024-05-01T10:00:00"));
    EXPECT_FALSE(parse_rfc3339("2024-05-01T10:00:00Zjunk"));
    EXPECT_FALSE(parse_rfc3339(""));
}

}  // namespace
}  // namespace boxtool::registry
