#include "credential_chain.hpp"

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
    CredentialChain chain({{"plain_c", {}, "{}"}, {"docker-config", {}, files}}, dirs());
    auto first = chain.lookup("found.example", "app");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->username, "c-user");  // the plain C source answers first
    auto second = chain.lookup("other.example", "app");
    ASSERT_TRUE(second);  // plain C said "not found": docker-config answered
    EXPECT_EQ(second->username, "file-user");
    EXPECT_EQ(second->password.reveal(), "file-pass");
    EXPECT_NE(second->source.find("docker-config ("), std::string::npos);
    EXPECT_NE(second->source.find("auths[\"other.example\"]"), std::string::npos) << second->source;
    EXPECT_FALSE(chain.lookup("nowhere.example", "app"));
}

TEST(CredentialChain, RegistryGlobsLimitASource) {
    CredentialChain chain({{"plain_c", {"*.internal", "found.example"}, "{}"}}, dirs());
    EXPECT_TRUE(chain.lookup("found.example", "x"));
    CredentialChain limited({{"plain_c", {"*.internal"}, "{}"}}, dirs());
    EXPECT_FALSE(limited.lookup("found.example", "x"));  // never asked
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
    CredentialChain chain({{"plain_c", {}, "{}"}, {"docker-config", {}, files}}, dirs());
    try {
        chain.lookup("error.example", "team/app");
        FAIL();
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Plugin);
        EXPECT_EQ(f.error().registry, "error.example");
        EXPECT_EQ(f.error().repository, "team/app");
        EXPECT_NE(f.error().message.find("backend is down"), std::string::npos);
    }
}

TEST(CredentialChain, AnswersAreCachedForTheChainsLifetime) {
    CredentialChain chain({{"plain_c", {}, "{}"}}, dirs());
    for (int i = 0; i < 5; ++i) {
        auto cred = chain.lookup("found.example", "app");
        ASSERT_TRUE(cred);
        EXPECT_EQ(cred->source, "plain_c (plain C call 1)");  // the plugin ran once
    }
    EXPECT_THROW(chain.lookup("error.example", "app"), Failure);
    EXPECT_THROW(chain.lookup("error.example", "app"), Failure);  // cached failure, same answer
}

TEST(CredentialChain, DescribesEverySource) {
    CredentialChain chain({{"plain_c", {"*.internal"}, "{}"}}, dirs());
    auto lines = chain.describe_sources();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "plain_c: an in-memory table [only for *.internal]");
}

TEST(CredentialChain, ABrokenSourceStopsTheChainFromLoading) {
    EXPECT_THROW(CredentialChain({{"wrong_major_symbol", {}, "{}"}}, dirs()), Failure);
    EXPECT_THROW(CredentialChain({{"missing-plugin", {}, "{}"}}, dirs()), Failure);
    EXPECT_THROW(CredentialChain({{"plain_c", {}, R"({"x":"fail-create"})"}}, dirs()), Failure);
}

}  // namespace
}  // namespace boxtool::plugins
