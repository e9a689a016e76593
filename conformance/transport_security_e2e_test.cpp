// What boxtool refuses on the wire however a registry answers: an HTTPS registry (a TLS fault
// proxy in front of registry:2) that redirects blob downloads to plain HTTP is not followed, and a
// plain-HTTP token realm behind an HTTPS registry never receives a password. The registry is
// trusted with --ca-file; it is never listed as insecure, so nothing excuses a downgrade.
#include <gtest/gtest.h>

#include <memory>

#include "e2e_support.hpp"
#include "harness/certificates.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/token_server.hpp"

namespace boxtool::conformance {
namespace {

const harness::Credentials kAdmin{"seeder", "Admin-Pa55-0d3b7e"};
const std::string kAlice = "alice";
const std::string kAlicePassword = "Alice-Pa55-91c4aa";

class TransportSecurityTest : public ::testing::Test {
  protected:
    // An HTTPS front (certificate from `ca`) for `upstream`, with these redirect rules.
    std::unique_ptr<harness::FaultProxy> https_front(const std::string& upstream,
                                                     std::vector<std::string> redirect = {}) {
        auto cert = harness::make_server_certificate(ca, env.path("pki"), "front");
        auto proxy = std::make_unique<harness::FaultProxy>(harness::FaultProxyOptions{
            .upstream = upstream,
            .redirect = std::move(redirect),
            .tls_certificate = cert.cert.string(),
            .tls_key = cert.key.string(),
        });
        proxy->start();
        return proxy;
    }

    // No password, in clear or base64 (Basic), in anything captured.
    static void expect_no_secret(const RunResult& r, const std::vector<std::filesystem::path>& logs) {
        for (const auto& secret : {kAlicePassword, harness::basic_auth(kAlice, kAlicePassword).substr(6)}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "a credential leaked to stdout";
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "a credential leaked to stderr";
            for (const auto& log : logs)
                EXPECT_EQ(harness::read_file(log).find(secret), std::string::npos) << "leaked to " << log;
        }
    }

    CliEnv env;
    harness::Certificate ca = harness::make_certificate_authority(env.path("pki"), "front-ca");
};

TEST_F(TransportSecurityTest, RedirectFromHttpsToHttpIsNotFollowed) {
    harness::RegistryServer registry;
    registry.start();
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                        "e2e/app:v1");
    harness::FaultProxy cdn({.upstream = registry.url()});
    cdn.start();
    auto front = https_front(registry.url(), {"GET /blobs/sha256:[0-9a-f]+$:http://" + cdn.host()});

    auto r = env.pull(front->host() + "/e2e/app:v1",
                      {"--ca-file", ca.cert.string(), "--output", oci_output(env.path("out"), "v1")});
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "refusing to follow a redirect from HTTPS to http")) << r.err;
    EXPECT_TRUE(contains_icase(r.err, "downgrade")) << r.err;
    EXPECT_GE(front->count_requests("GET", "/blobs/"), 1) << "the pull never reached the redirect";
    EXPECT_TRUE(cdn.requests().empty()) << "the plain-HTTP host was contacted:\n"
                                        << harness::read_file(cdn.log_path());
    for (const auto& layer : image.manifests.at(0).layers)
        EXPECT_FALSE(std::filesystem::exists(env.store() / "blobs/sha256" / layer.digest.substr(7)));
    EXPECT_FALSE(std::filesystem::exists(env.path("out") / "index.json"));
}

// registry:2 with token auth behind an HTTPS front; its realm is the token server's plain-HTTP URL.
TEST_F(TransportSecurityTest, PlainHttpTokenRealmOfAnHttpsRegistryGetsNoPassword) {
    harness::TokenServer tokens(
        {.public_repositories = {"pub/*"}, .users = {{kAlice, kAlicePassword, {"team/*"}}}, .admin = kAdmin});
    tokens.start();
    harness::RegistryServer registry({.token = tokens.registry_auth()});
    registry.start();
    auto image = harness::make_image({.out = env.path("src"), .tag = "v1", .layers = 1});
    for (const char* repo : {"pub/app:v1", "team/private:v1"})
        harness::push_image(image.layout, "v1", registry.host(), repo, kAdmin);
    auto front = https_front(registry.url());
    const auto seeded = tokens.requests().size();

    auto r = env.pull(front->host() + "/team/private:v1",
                      {"--ca-file", ca.cert.string(), "--creds", kAlice + ":" + kAlicePassword});
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "refusing to send credentials to the plain-HTTP token realm")) << r.err;
    EXPECT_EQ(tokens.count_requests(kAlice), 0) << harness::read_file(tokens.log_path());
    expect_no_secret(r, {tokens.log_path(), registry.log_path(), front->log_path()});

    // Without a password there is nothing to protect: an anonymous token over HTTP is fine.
    auto anonymous = env.pull(front->host() + "/pub/app:v1", {"--ca-file", ca.cert.string()});
    ASSERT_EQ(anonymous.exit_code, kOk) << anonymous.describe();
    EXPECT_EQ(field(anonymous.out, "Digest"), image.digest);
    EXPECT_GT(tokens.requests().size(), seeded);
}

}  // namespace
}  // namespace boxtool::conformance
