#include "challenge_grammar.hpp"

#include <gtest/gtest.h>

namespace boxtool::checks {
namespace {

TEST(ChallengeGrammar, WellFormedChallenges) {
    struct Case {
        const char* header;
        std::size_t challenges;
    } cases[] = {
        {R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull")",
         1},
        {R"(Bearer realm="https://a/t", service=reg, scope="repository:a:pull,push")", 1},
        {R"(Basic realm="Registry Realm")", 1},
        {R"(Basic realm="x", Bearer realm="https://a/t",service="s")", 2},
        {R"(Bearer realm="https://a/t",error="invalid_token",error_description="the \"token\" expired")", 1},
        {R"(Negotiate)", 1},
        {R"(Negotiate, Basic realm=simple)", 2},
        {R"(Custom abc123==)", 1},
        {R"(Bearer realm = "https://a/t" , service = "s")", 1},
    };
    for (const auto& c : cases) {
        auto parsed = parse_challenges_strict(c.header);
        EXPECT_EQ(parsed.error, "") << c.header;
        EXPECT_EQ(parsed.challenges.size(), c.challenges) << c.header;
    }
    auto p = parse_challenges_strict(R"(Bearer realm="https://a/t",service=reg,scope="repository:x:pull")");
    ASSERT_EQ(p.challenges.size(), 1u);
    EXPECT_EQ(p.challenges[0].scheme, "bearer");
    EXPECT_EQ(p.challenges[0].params.at("service"), "reg");
    EXPECT_EQ(p.challenges[0].params.at("scope"), "repository:x:pull");
    auto escaped = parse_challenges_strict(R"(Bearer realm="https://a/t",error_description="a \"b\"")");
    EXPECT_EQ(escaped.challenges.at(0).params.at("error_description"), "a \"b\"");
}

TEST(ChallengeGrammar, MalformedChallengesNameWhatIsWrong) {
    const char* bad[] = {
        "",
        R"(Bearer realm="https://a/t)",     // unterminated quote
        R"(Bearer realm=,service="s")",     // no value
        R"(Bearer realm=https://a/t b)",    // unquoted space inside a value
        R"(Bearer realm="x" service="y")",  // missing comma
        R"(Bearer realm="x",realm="y")",    // duplicate parameter
        R"(="x")",                          // no scheme
        R"(Bearer ,realm="x")",             // comma before the first parameter
    };
    for (const char* h : bad) EXPECT_NE(parse_challenges_strict(h).error, "") << h;
}

TEST(ChallengeGrammar, BearerNeedsAnAbsoluteRealm) {
    auto ok = parse_challenges_strict(R"(Bearer realm="https://a/t",service="s")");
    EXPECT_EQ(bearer_problem(ok.challenges.at(0)), "");
    auto none = parse_challenges_strict(R"(Bearer service="s")");
    EXPECT_NE(bearer_problem(none.challenges.at(0)), "");
    auto relative = parse_challenges_strict(R"(Bearer realm="/token")");
    EXPECT_NE(bearer_problem(relative.challenges.at(0)), "");
    auto basic = parse_challenges_strict(R"(Basic realm="r")");
    EXPECT_EQ(bearer_problem(basic.challenges.at(0)), "");
}

}  // namespace
}  // namespace boxtool::checks
