// The ssm plugin's parsers: ECR hosts and tokens, expiry times, AWS shared files, parameter values.
#include <gtest/gtest.h>

#include "aws_credentials.hpp"
#include "ecr.hpp"
#include "parameter_lookup.hpp"

namespace boxtool::plugins::aws {
namespace {

TEST(Ecr, RecognisesEcrHostsAndTheirRegion) {
    auto ecr = parse_ecr_host("123456789012.dkr.ecr.eu-west-3.amazonaws.com");
    ASSERT_TRUE(ecr);
    EXPECT_EQ(ecr->account, "123456789012");
    EXPECT_EQ(ecr->region, "eu-west-3");
    EXPECT_FALSE(ecr->fips);
    EXPECT_TRUE(parse_ecr_host("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")->fips);
    EXPECT_EQ(parse_ecr_host("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")->region, "cn-north-1");
    EXPECT_TRUE(parse_ecr_host("123456789012.dkr.ecr.us-east-1.amazonaws.com:443"));
    EXPECT_FALSE(parse_ecr_host("12345.dkr.ecr.us-east-1.amazonaws.com"));
    EXPECT_FALSE(parse_ecr_host("123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example"));
    EXPECT_FALSE(parse_ecr_host("public.ecr.aws"));
    EXPECT_FALSE(parse_ecr_host("docker.io"));
}

TEST(Ecr, TokenWithEpochOrIsoExpiry) {
    // base64("AWS:secret-password")
    auto epoch = parse_authorization_token(
        R"({"authorizationData":[{"authorizationToken":"QVdTOnNlY3JldC1wYXNzd29yZA==","expiresAt":1.7636868E9}]})");
    EXPECT_EQ(epoch.username, "AWS");
    EXPECT_EQ(epoch.password, "secret-password");
    EXPECT_EQ(Clock::to_time_t(epoch.expires), 1763686800);
    auto iso = parse_authorization_token(
        R"({"authorizationData":[{"authorizationToken":"QVdTOnNlY3JldC1wYXNzd29yZA==","expiresAt":"2025-11-21T01:00:00.000Z"}]})");
    EXPECT_EQ(Clock::to_time_t(iso.expires), 1763686800);
    try {
        parse_authorization_token(
            R"({"authorizationData":[{"authorizationToken":"bm9jb2xvbg==","expiresAt":1}]})");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).find("bm9jb2xvbg"), std::string::npos);
    }
    EXPECT_THROW(parse_authorization_token(R"({"authorizationData":[]})"), std::runtime_error);
    EXPECT_THROW(
        parse_authorization_token(
            R"({"authorizationData":[{"authorizationToken":"QVdTOnNlY3JldC1wYXNzd29yZA==","expiresAt":"soon"}]})"),
        std::runtime_error);
}

TEST(AwsTime, Iso8601) {
    EXPECT_EQ(Clock::to_time_t(*parse_iso8601("2025-11-21T01:00:00Z")), 1763686800);
    EXPECT_EQ(Clock::to_time_t(*parse_iso8601("2025-11-21T02:30:00+01:30")), 1763686800);
    EXPECT_EQ(Clock::to_time_t(*parse_iso8601("2025-11-21T01:00:00.123456Z")), 1763686800);
    EXPECT_FALSE(parse_iso8601("2025-11-21T01:00:00"));
    EXPECT_FALSE(parse_iso8601("2025-13-21T01:00:00Z"));
    EXPECT_FALSE(parse_iso8601("yesterday"));
}

TEST(AwsIni, SectionsKeysCommentsAndNestedSettings) {
    auto ini = parse_aws_ini(
        "# top\n[default]\nregion = us-east-1\n; c\n[profile ci]\naws_access_key_id=AK \n"
        "s3 =\n  max_concurrent_requests = 20\nregion=eu-west-1\n");
    EXPECT_EQ(ini["default"]["region"], "us-east-1");
    EXPECT_EQ(ini["profile ci"]["aws_access_key_id"], "AK");
    EXPECT_EQ(ini["profile ci"]["region"], "eu-west-1");
    EXPECT_FALSE(ini["profile ci"].count("max_concurrent_requests"));
}

TEST(Parameters, LookupMostSpecificFirstThenTemplate) {
    auto settings = read_parameter_settings(
        R"({"parameters":{"https://quay.io":"/q","quay.io/org":"/q-org"},"parameter":"/all/{registry}/{repository}"})");
    EXPECT_EQ(parameter_for(settings, "quay.io", "org/app"), "/q-org");
    EXPECT_EQ(parameter_for(settings, "quay.io", "other/app"), "/q");
    EXPECT_EQ(parameter_for(settings, "127.0.0.1:5000", "a/b"), "/all/127.0.0.1_5000/a/b");
    EXPECT_FALSE(parameter_for(read_parameter_settings("{}"), "quay.io", "a"));
}

TEST(Parameters, ValuesAreJsonOrBareSecrets) {
    auto json = parse_parameter_value(R"({"username":"u1","password":"p1"})", "fallback", "/p");
    EXPECT_EQ(json.username, "u1");
    EXPECT_EQ(json.password, "p1");
    EXPECT_EQ(parse_parameter_value(R"({"password":"p1"})", "fallback", "/p").username, "fallback");
    auto bare = parse_parameter_value("{not-json-secret", "bot", "/p");
    EXPECT_EQ(bare.password, "{not-json-secret");
    try {
        parse_parameter_value("bare-secret-value", "", "/ci/p");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/ci/p"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("\"username\""), std::string::npos);
        EXPECT_EQ(std::string(e.what()).find("bare-secret-value"), std::string::npos);
    }
    EXPECT_THROW(parse_parameter_value(R"({"username":"u"})", "", "/p"), std::runtime_error);
}

}  // namespace
}  // namespace boxtool::plugins::aws
