#include "boxtool/credential_chain.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace boxtool::plugins {
namespace {

std::vector<std::filesystem::path> dirs() {
    return {BOXTOOL_TEST_PLUGIN_DIR, BOXTOOL_PLUGIN_BUILD_DIR};
}

TEST(CredentialChain, FirstSourceWithCredentialsWinsAndNotFoundMovesOn) {
    testing::TempDir home;
    testing::write_file(home / "config.json",
                        R"({"auths":{"found.example":{"auth":"ZmlsZS11c2VyOmZpbGUtcGFzcw=="},
                                      "other.example":{"auth":"ZmlsZS11c2VyOmZpbGUtcGFzcw=="}}})");
    std::string files =
        R"({"plugin":"docker-config","files":[")" + (home / "config.json").string() + R"("]})";
    auto chain = CredentialChain::load({{"plain_c", {}, "{}"}, {"docker-config", {}, files}}, dirs()).value();
    auto first = chain->lookup("found.example", "app").value();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->username, "c-user");  // the plain C source answers first
    auto second = chain->lookup("other.example", "app").value();
    ASSERT_TRUE(second);  // plain C said "not found": docker-config answered
    EXPECT_EQ(second->username, "file-user");
    EXPECT_EQ(second->password.reveal(), "file-pass");
    EXPECT_NE(second->source.find("docker-config ("), std::string::npos);
    EXPECT_NE(second->source.find("auths[\"other.example\"]"), std::string::npos) << second->source;
    EXPECT_FALSE(chain->lookup("nowhere.example", "app").value());
}

TEST(CredentialChain, RegistryGlobsLimitASource) {
    auto chain = CredentialChain::load({{"plain_c", {"*.internal", "found.example"}, "{}"}}, dirs()).value();
    EXPECT_TRUE(chain->lookup("found.example", "x").value());
    auto limited = CredentialChain::load({{"plain_c", {"*.internal"}, "{}"}}, dirs()).value();
    EXPECT_FALSE(limited->lookup("found.example", "x").value());  // never asked
    EXPECT_TRUE(registry_matches({"*.dkr.ecr.*.amazonaws.com"}, "123.dkr.ecr.eu-west-1.amazonaws.com"));
    EXPECT_TRUE(registry_matches({"index.docker.io"}, "docker.io"));
    EXPECT_TRUE(registry_matches({"Quay.IO"}, "quay.io"));
    EXPECT_FALSE(registry_matches({"quay.io"}, "quay.io.evil.example"));
}

TEST(CredentialChain, ARealErrorIsReportedNotSwallowed) {
    // The second source has credentials, but the first fails: the user must hear about it.
    testing::TempDir home;
    testing::write_file(home / "config.json", R"({"auths":{"error.example":{"auth":"dTpw"}}})");
    std::string files = R"({"files":[")" + (home / "config.json").string() + R"("]})";
    auto chain = CredentialChain::load({{"plain_c", {}, "{}"}, {"docker-config", {}, files}}, dirs()).value();
    auto answer = chain->lookup("error.example", "team/app");
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().kind, ErrorKind::Plugin);
    EXPECT_EQ(answer.error().registry, "error.example");
    EXPECT_EQ(answer.error().repository, "team/app");
    EXPECT_NE(answer.error().message.find("backend is down"), std::string::npos);
}

TEST(CredentialChain, AnswersAreCachedForTheChainsLifetime) {
    auto chain = CredentialChain::load({{"plain_c", {}, "{}"}}, dirs()).value();
    for (int i = 0; i < 5; ++i) {
        auto cred = chain->lookup("found.example", "app").value();
        ASSERT_TRUE(cred);
        EXPECT_EQ(cred->source, "plain_c (plain C call 1)");  // the plugin ran once
    }
    EXPECT_FALSE(chain->lookup("error.example", "app"));
    EXPECT_FALSE(chain->lookup("error.example", "app"));  // cached failure, same answer
}

TEST(CredentialChain, DescribesEverySource) {
    auto chain = CredentialChain::load({{"plain_c", {"*.internal"}, "{}"}}, dirs()).value();
    auto lines = chain->describe_sources();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "plain_c: an in-memory table [only for *.internal]");
}

TEST(CredentialChain, ABrokenSourceStopsTheChainFromLoading) {
    EXPECT_FALSE(CredentialChain::load({{"wrong_major_symbol", {}, "{}"}}, dirs()));
    EXPECT_FALSE(CredentialChain::load({{"missing-plugin", {}, "{}"}}, dirs()));
    EXPECT_FALSE(CredentialChain::load({{"plain_c", {}, R"({"x":"fail-create"})"}}, dirs()));
}

}  // namespace
}  // namespace boxtool::plugins

namespace boxtool::plugins {
namespace {

TEST(CredentialChain, FetchResourceAsksSourcesInOrderSkippingThoseBuiltFor1_0) {
    auto chain = CredentialChain::load({{"abi_1_0", {}, "{}"}, {"plain_c", {}, "{}"}},
                                       {BOXTOOL_TEST_PLUGIN_DIR, BOXTOOL_PLUGIN_BUILD_DIR})
                     .value();
    auto policy = chain->fetch_resource("test://policy");
    ASSERT_TRUE(policy) << policy.error().describe();
    ASSERT_TRUE(*policy);
    EXPECT_EQ(**policy, R"({"default":[{"type":"reject"}]})");
    auto none = chain->fetch_resource("kbs:///default/security-policy/test");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    auto broken = chain->fetch_resource("test://broken");
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().kind, ErrorKind::Plugin);
    // Credentials from the 1.0 plugin still work beside it.
    EXPECT_EQ(chain->lookup("found.example", "app").value()->username, "old-user");
}

}  // namespace
}  // namespace boxtool::plugins
