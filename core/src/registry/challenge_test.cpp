// WWW-Authenticate parsing (RFC 7235) as registries send it.

#include "registry/challenge.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace boxtool::registry {
namespace {

TEST(ParseChallenges, DockerHubBearer) {
    auto cs = parse_challenges(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].scheme, "bearer");
    EXPECT_EQ(cs[0].param("realm"), "https://auth.docker.io/token");
    EXPECT_EQ(cs[0].param("service"), "registry.docker.io");
    EXPECT_EQ(cs[0].param("scope"), "repository:library/alpine:pull");
    EXPECT_EQ(cs[0].params.size(), 3u);
    EXPECT_EQ(cs[0].param("missing"), "");
}

TEST(ParseChallenges, QuotedValueWithCommas) {
    auto cs = parse_challenges(
        R"(Bearer realm="https://ghcr.io/token",scope="repository:a:pull,push",service="ghcr.io")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].param("scope"), "repository:a:pull,push");
    EXPECT_EQ(cs[0].param("service"), "ghcr.io");
    EXPECT_EQ(cs[0].param("realm"), "https://ghcr.io/token");
}

TEST(ParseChallenges, SpacesAroundSeparators) {
    auto cs = parse_challenges("Bearer   realm = \"https://r/token\" ,  service=\"s\" , scope=\"x y\"");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].param("realm"), "https://r/token");
    EXPECT_EQ(cs[0].param("service"), "s");
    EXPECT_EQ(cs[0].param("scope"), "x y");
}

TEST(ParseChallenges, SeveralChallengesInOneHeader) {
    auto cs = parse_challenges(R"(Basic realm=x, Bearer realm="y",service="z")");
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(cs[0].scheme, "basic");
    EXPECT_EQ(cs[0].param("realm"), "x");
    EXPECT_EQ(cs[0].params.size(), 1u);
    EXPECT_EQ(cs[1].scheme, "bearer");
    EXPECT_EQ(cs[1].param("realm"), "y");
    EXPECT_EQ(cs[1].param("service"), "z");
    EXPECT_EQ(cs[1].params.size(), 2u);
}

TEST(ParseChallenges, ChallengeWithoutParameters) {
    auto cs = parse_challenges(R"(Negotiate, Basic realm="Registry Realm", Bearer realm="https://a/t")");
    ASSERT_EQ(cs.size(), 3u);
    EXPECT_EQ(cs[0].scheme, "negotiate");
    EXPECT_TRUE(cs[0].params.empty());
    EXPECT_EQ(cs[1].scheme, "basic");
    EXPECT_EQ(cs[1].param("realm"), "Registry Realm");
    EXPECT_EQ(cs[2].scheme, "bearer");
    EXPECT_EQ(cs[2].param("realm"), "https://a/t");
}

TEST(ParseChallenges, CaseInsensitiveSchemeAndParamNames) {
    auto cs = parse_challenges(R"(BEARER REALM="https://A/Token",Service="Svc",sCoPe="repository:X:pull")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].scheme, "bearer");
    // Names are folded, values are kept as sent.
    EXPECT_EQ(cs[0].param("realm"), "https://A/Token");
    EXPECT_EQ(cs[0].param("service"), "Svc");
    EXPECT_EQ(cs[0].param("scope"), "repository:X:pull");
    auto basic = parse_challenges(R"(bAsIc Realm="r")");
    ASSERT_EQ(basic.size(), 1u);
    EXPECT_EQ(basic[0].scheme, "basic");
    EXPECT_EQ(basic[0].param("realm"), "r");
}

TEST(ParseChallenges, EscapedQuotesAndBackslashes) {
    auto cs = parse_challenges(R"(Bearer realm="a \"quoted\" realm",service="back\\slash",scope="\x")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].param("realm"), "a \"quoted\" realm");
    EXPECT_EQ(cs[0].param("service"), "back\\slash");
    EXPECT_EQ(cs[0].param("scope"), "x");  // quoted-pair: the backslash escapes any character
}

TEST(ParseChallenges, QuotedValueContainingEqualsAndSchemeLikeWords) {
    auto cs = parse_challenges(R"(Bearer realm="https://a/token?x=1&y=2",service="Basic realm=evil")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].param("realm"), "https://a/token?x=1&y=2");
    EXPECT_EQ(cs[0].param("service"), "Basic realm=evil");
}

TEST(ParseChallenges, InvalidTokenError) {
    auto cs = parse_challenges(
        R"(Bearer realm="https://auth.example.com/token",service="registry",scope="repository:app:pull",error="invalid_token",error_description="The access token expired")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].param("error"), "invalid_token");
    EXPECT_EQ(cs[0].param("error_description"), "The access token expired");
    EXPECT_EQ(cs[0].param("scope"), "repository:app:pull");
    auto insufficient = parse_challenges(R"(Bearer error="insufficient_scope",scope="repository:a:push")");
    ASSERT_EQ(insufficient.size(), 1u);
    EXPECT_EQ(insufficient[0].param("error"), "insufficient_scope");
}

TEST(ParseChallenges, UnquotedTokenValues) {
    auto cs = parse_challenges("Bearer realm=abc, service=registry.example,error=invalid_token");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].param("realm"), "abc");
    EXPECT_EQ(cs[0].param("service"), "registry.example");
    EXPECT_EQ(cs[0].param("error"), "invalid_token");
}

TEST(ParseChallenges, UnquotedUrlIsReadToTheNextComma) {
    // RFC 7235 wants a URL quoted, but lenient parsing keeps an unquoted one whole, and the
    // parameters after it still parse.
    auto cs = parse_challenges("Bearer realm=https://r.example/token,service=reg");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].scheme, "bearer");
    EXPECT_EQ(cs[0].param("realm"), "https://r.example/token");
    EXPECT_EQ(cs[0].param("service"), "reg");
}

TEST(ParseChallenges, EmptyValues) {
    auto cs = parse_challenges(R"(Bearer realm="",service=,scope="s")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].param("realm"), "");
    EXPECT_TRUE(cs[0].params.count("realm"));
    EXPECT_EQ(cs[0].param("scope"), "s");
}

TEST(ParseChallenges, Token68DoesNotSwallowTheNextChallenge) {
    auto cs = parse_challenges(R"(Basic dXNlcjpwYXNz==, Bearer realm="r")");
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(cs[0].scheme, "basic");
    EXPECT_EQ(cs[1].scheme, "bearer");
    EXPECT_EQ(cs[1].param("realm"), "r");
}

TEST(ParseChallenges, UnterminatedQuoteEndsAtEndOfHeader) {
    auto cs = parse_challenges(R"(Bearer realm="https://r/token,service=x)");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].scheme, "bearer");
    EXPECT_EQ(cs[0].param("realm"), "https://r/token,service=x");
    // A second quote closes the string; what follows is read as usual.
    auto two = parse_challenges(R"(Bearer realm="a,service="b)");
    ASSERT_GE(two.size(), 1u);
    EXPECT_EQ(two[0].param("realm"), "a,service=");
}

TEST(ParseChallenges, EmptyAndBlankHeaders) {
    EXPECT_TRUE(parse_challenges("").empty());
    EXPECT_TRUE(parse_challenges("   ").empty());
    EXPECT_TRUE(parse_challenges(" , ,, ").empty());
}

TEST(ParseChallenges, SeveralHeaderValues) {
    const std::vector<std::string> headers = {R"(Basic realm="basic")", "",
                                              R"(Bearer realm="https://a/t",service="s")"};
    auto cs = parse_challenges(headers);
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(cs[0].scheme, "basic");
    EXPECT_EQ(cs[1].scheme, "bearer");
    EXPECT_EQ(cs[1].param("service"), "s");
    EXPECT_TRUE(parse_challenges(std::vector<std::string>{}).empty());
}

TEST(ParseChallenges, GarbageDoesNotCrashOrLoop) {
    const std::vector<std::string> garbage = {
        "=",
        "===",
        "\"",
        "\"\"\"",
        "\\",
        "Bearer =",
        "Bearer ==,==",
        "Bearer realm",
        "Bearer realm=",
        "Bearer realm=\"",
        "Bearer realm=\"\\",
        "Bearer realm=\"abc\\\"",
        "Bearer ,,,realm=\"x\",,,",
        "()<>@,;:\\\"/[]?={} \t",
        std::string("Bearer\0realm=\"x\"", 16),
        "\x01\x02\x7f\xff\xfe",
        "Bearer realm=\"x\" garbage \"more\" ==== ;;;; realm",
        std::string(10000, '='),
        std::string(10000, '"'),
        std::string(10000, ','),
    };
    for (const auto& g : garbage) {
        SCOPED_TRACE(testing::PrintToString(g.substr(0, 40)));
        auto cs = parse_challenges(g);
        for (const auto& c : cs) {
            EXPECT_FALSE(c.scheme.empty());
            for (const auto& [name, value] : c.params) EXPECT_FALSE(name.empty());
        }
    }
    // Recognisable challenges survive surrounding garbage.
    auto cs = parse_challenges(";;; Bearer realm=\"x\"");
    ASSERT_FALSE(cs.empty());
    EXPECT_EQ(cs.back().scheme, "bearer");
    EXPECT_EQ(cs.back().param("realm"), "x");
}

TEST(ParseChallenges, RandomBytesTerminate) {
    std::mt19937 rng(2024);
    const std::string alphabet = "Bearer realm=\"\\, \t;=abcXYZ0123456789:/\x01";
    for (int round = 0; round < 2000; ++round) {
        std::string s(rng() % 64, ' ');
        for (auto& c : s) c = alphabet[rng() % alphabet.size()];
        auto cs = parse_challenges(s);
        EXPECT_LE(cs.size(), s.size());
        for (const auto& c : cs) EXPECT_FALSE(c.scheme.empty());
    }
}

}  // namespace
}  // namespace boxtool::registry
