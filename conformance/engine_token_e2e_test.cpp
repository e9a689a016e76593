// The engine API against registry:2 with token auth, for what the CLI has no flag for: an identity
// token (docker's "identitytoken", an OAuth2 refresh token) exchanged with POST
// grant_type=refresh_token, and the credential's source named when the token server rejects it.
#include <gtest/gtest.h>

#include <memory>

#include "boxtool/engine.hpp"
#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"
#include "harness/token_server.hpp"

namespace boxtool::conformance {
namespace {

const harness::Credentials kAdmin{"seeder", "Admin-Pa55-77e1c3"};
const std::string kRefreshToken = "Refresh-70k3n-5a9d2e";
const std::string kSource = "identity token from the test";

class EngineTokenTest : public ::testing::Test {
  protected:
    void SetUp() override {
        tokens = std::make_unique<harness::TokenServer>(harness::TokenServerOptions{
            .users = {{"alice", "Alice-Pa55-3e8f10", {"team/*"}}},
            .admin = kAdmin,
            .refresh_tokens = {{"alice", kRefreshToken}},
        });
        tokens->start();
        registry = std::make_unique<harness::RegistryServer>(
            harness::RegistryOptions{.token = tokens->registry_auth()});
        registry->start();
        image = harness::make_image({.out = env.path("src"), .tag = "v1", .layers = 2});
        harness::push_image(image.layout, "v1", registry->host(), "team/app:v1", kAdmin);
        seeded = tokens->requests().size();
    }

    Result<PullResult> pull_with_identity_token(const std::string& token) {
        Credential cred;
        cred.identity_token = Secret(token);
        cred.source = kSource;
        Engine engine({.store_root = env.store(),
                       .insecure_registries = {registry->host()},
                       .credentials = std::make_shared<StaticCredentialProvider>(std::move(cred))});
        return engine.pull(registry->host() + "/team/app:v1");
    }

    std::vector<harness::TokenRequest> pull_tokens() const {
        auto all = tokens->requests();
        return {all.begin() + static_cast<std::ptrdiff_t>(seeded), all.end()};
    }

    CliEnv env;
    std::unique_ptr<harness::TokenServer> tokens;
    std::unique_ptr<harness::RegistryServer> registry;
    harness::ImageInfo image;
    std::size_t seeded = 0;
};

TEST_F(EngineTokenTest, IdentityTokenIsExchangedWithARefreshTokenGrant) {
    auto r = pull_with_identity_token(kRefreshToken);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->digest.str(), image.digest);
    auto fetched = pull_tokens();
    ASSERT_EQ(fetched.size(), 1u) << harness::read_file(tokens->log_path());
    EXPECT_EQ(fetched[0].method, "POST");
    EXPECT_EQ(fetched[0].user, "alice") << "the refresh token was not recognised as alice's";
    EXPECT_EQ(fetched[0].status, 200);
    EXPECT_EQ(harness::read_file(tokens->log_path()).find(kRefreshToken), std::string::npos);
}

TEST_F(EngineTokenTest, RejectedIdentityTokenNamesItsSource) {
    auto r = pull_with_identity_token("Unknown-70k3n-0b1c2d");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::Unauthorized) << r.error().describe();
    EXPECT_NE(r.error().message.find("rejected the credentials from " + kSource), std::string::npos)
        << r.error().describe();
    EXPECT_EQ(r.error().describe().find("Unknown-70k3n-0b1c2d"), std::string::npos) << "the token leaked";
    // The refused POST, then the GET fallback (docker's way of taking a refresh token), refused too.
    auto fetched = pull_tokens();
    ASSERT_GE(fetched.size(), 2u) << harness::read_file(tokens->log_path());
    EXPECT_EQ(fetched[0].method, "POST");
    EXPECT_EQ(fetched[0].status, 401);
    EXPECT_EQ(fetched[1].method, "GET");
    EXPECT_EQ(fetched[1].status, 401);
}

}  // namespace
}  // namespace boxtool::conformance
