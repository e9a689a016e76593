// `boxtool conformance` against deliberately broken fronts: fault_proxy.py in front of a real
// registry:2, each misbehaving in one way (--break modes, a 429 without Retry-After, expired and
// wrong-host certificates), and token_server.py leaving out expires_in. Each fault is caught by
// the check meant for it, which each case names; the same proxy without a fault is the control.
// One registry per test serves every case of that test (read-only --image runs change nothing).
#include <gtest/gtest.h>

#include "conformance_report.hpp"
#include "harness/certificates.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/images.hpp"
#include "harness/token_server.hpp"

namespace boxtool::conformance {
namespace {

struct FaultCase {
    std::string name;
    harness::FaultProxyOptions proxy;
    std::vector<std::string> failing;  // checks that must say "fail"
    bool must_fail_run = false;        // exit 1: a MUST check is among them
};

class BrokenFronts : public ::testing::Test {
  protected:
    CliEnv env;

    ConformanceReport through(const harness::FaultProxy& proxy, const std::string& repo,
                              std::vector<std::string> extra) {
        std::vector<std::string> args{proxy.host() + "/" + repo, "--insecure-registry", proxy.host(),
                                      "--image", repo + ":v1"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_conformance(env, args);
    }

    void run_cases(std::vector<FaultCase> cases, const std::string& upstream, const std::string& repo,
                   const std::vector<std::string>& extra = {}) {
        for (auto& c : cases) {
            SCOPED_TRACE(c.name);
            c.proxy.upstream = upstream;
            harness::FaultProxy proxy(c.proxy);
            proxy.start();
            auto r = through(proxy, repo, extra);
            ASSERT_TRUE(r.parsed) << r.run.describe();
            for (const auto& id : c.failing) {
                EXPECT_EQ(r[id], "fail") << c.name << " not caught by " << id << "\n" << r.describe();
            }
            if (c.must_fail_run) {
                EXPECT_EQ(r.run.exit_code, kFailure) << r.describe();
            }
            if (c.failing.empty()) {
                EXPECT_EQ(r.run.exit_code, kOk) << "the control run: " << r.describe();
                EXPECT_TRUE(r.must_failures().empty()) << r.describe();
            }
        }
    }
};

TEST_F(BrokenFronts, ManifestBlobRangeErrorBodyAndRateLimitFaults) {
    harness::RegistryServer registry;
    registry.start();
    // Uncompressed layers, so a blob is large enough for the Range checks.
    harness::make_and_push(
        {.out = env.path("src"), .tag = "v1", .layers = 2, .layer_size = 8192, .compression = "none"},
        registry.host(), "team/app:v1");
    std::vector<FaultCase> cases = {
        {"control: the proxy alone", {}, {}},
        {"Docker-Content-Digest stripped", {.breaks = {"strip-digest"}}, {"pull.manifest.digest-header"}},
        {"Docker-Content-Digest wrong", {.breaks = {"wrong-digest"}}, {"pull.manifest.digest-matches"}, true},
        {"200 for a missing blob",
         {.breaks = {"missing-blob-200"}},
         {"pull.blob.get-missing", "pull.blob.head-missing"},
         true},
        {"Range ignored",
         {.breaks = {"ignore-range"}},
         {"pull.blob.range.bounded", "pull.blob.range.open-ended", "pull.blob.range.suffix"}},
        {"error bodies missing",
         {.breaks = {"empty-error-bodies"}},
         {"pull.errors.manifest-unknown", "pull.errors.format"},
         true},
        {"error codes wrong",
         {.breaks = {"wrong-error-codes"}},
         {"pull.errors.manifest-unknown", "pull.errors.blob-unknown", "pull.errors.format"},
         true},
        {"429 without Retry-After", {.fail = {"GET /v2/team/app/tags/list:429:1"}}, {"behavior.retry-after"}},
    };
    run_cases(cases, registry.url(), "team/app");

    // A front that pages tag lists (n, last, Link) passes the pagination checks registry:2 fails.
    for (const char* t : {"v2", "v3", "v4"})
        harness::push_image(env.path("src"), "v1", registry.host(), std::string("team/app:") + t);
    harness::FaultProxy pages({.upstream = registry.url(), .paginate_tags = 2});
    pages.start();
    auto r = through(pages, "team/app", {});
    ASSERT_TRUE(r.parsed) << r.run.describe();
    for (const char* id :
         {"discovery.tags.list", "discovery.tags.n", "discovery.tags.last", "discovery.tags.link"})
        EXPECT_EQ(r[id], "pass") << id << "\n" << r.describe();
}

TEST_F(BrokenFronts, ChallengeAndBadCredentialFaults) {
    const std::string user = "ci-bot", password = "Front-Pa55-8e2a41";
    harness::RegistryServer registry({.users = {{user, password}}});
    registry.start();
    harness::make_and_push(
        {.out = env.path("src"), .tag = "v1", .layers = 1, .layer_size = 4096, .compression = "none"},
        registry.host(), "team/app:v1", harness::Credentials{user, password});
    std::vector<FaultCase> cases = {
        {"control: the proxy alone", {}, {}},
        {"a malformed challenge", {.breaks = {"malformed-challenge"}}, {"auth.challenge.grammar"}, true},
        {"404 instead of 401 for bad credentials", {.breaks = {"auth-404"}}, {"auth.credentials.bad"}, true},
    };
    run_cases(cases, registry.url(), "team/app", {"--creds", user + ":" + password});
}

// Blob downloads redirected (307) to another origin, as registries with a storage CDN do: the
// target must serve the blob without the registry's Authorization, which clients do not forward.
TEST_F(BrokenFronts, BlobRedirectsWithAndWithoutTheRegistrysCredentials) {
    harness::RegistryServer open;
    open.start();
    harness::make_and_push(
        {.out = env.path("src"), .tag = "v1", .layers = 1, .layer_size = 4096, .compression = "none"},
        open.host(), "team/app:v1");
    harness::FaultProxy cdn({.upstream = open.url()});
    cdn.start();
    harness::FaultProxy front(
        {.upstream = open.url(), .redirect = {"GET /v2/team/app/blobs/:http://" + cdn.host()}});
    front.start();
    auto ok = through(front, "team/app", {"--insecure-registry", cdn.host()});
    ASSERT_TRUE(ok.parsed) << ok.run.describe();
    EXPECT_EQ(ok["behavior.blob-redirect"], "pass") << ok.describe();
    EXPECT_EQ(ok.run.exit_code, kOk) << ok.describe();
    EXPECT_GE(cdn.count_requests("GET", "/blobs/"), 1);

    // A redirect target that wants the registry's credentials: clients cannot download the blob.
    const std::string user = "ci-bot", password = "Cdn-Pa55-5f0e";
    harness::RegistryServer closed({.users = {{user, password}}});
    closed.start();
    harness::make_and_push(
        {.out = env.path("src2"), .tag = "v1", .layers = 1, .layer_size = 4096, .compression = "none"},
        closed.host(), "team/app:v1", harness::Credentials{user, password});
    harness::FaultProxy closed_cdn({.upstream = closed.url()});
    closed_cdn.start();
    harness::FaultProxy closed_front(
        {.upstream = closed.url(), .redirect = {"GET /v2/team/app/blobs/:http://" + closed_cdn.host()}});
    closed_front.start();
    auto bad = through(closed_front, "team/app",
                       {"--creds", user + ":" + password, "--insecure-registry", closed_cdn.host()});
    ASSERT_TRUE(bad.parsed) << bad.run.describe();
    EXPECT_EQ(bad["behavior.blob-redirect"], "fail") << bad.describe();
    EXPECT_EQ(closed_cdn.count_with_authorization("GET", "/blobs/"), 0)
        << "the registry's credentials went to the redirect target";
}

TEST_F(BrokenFronts, TokenWithoutExpiresIn) {
    harness::TokenServer tokens({.public_repositories = {"pub/*"}, .omit_expires_in = true});
    tokens.start();
    harness::RegistryServer registry({.token = tokens.registry_auth()});
    registry.start();
    auto r = run_conformance(
        env, {registry.host() + "/pub/app", "--insecure-registry", registry.host(), "--only", "auth.*"});
    ASSERT_TRUE(r.parsed) << r.run.describe();
    EXPECT_EQ(r["auth.token.anonymous"], "pass") << r.describe();
    EXPECT_EQ(r["auth.token.lifetime"], "fail") << r.describe();
    EXPECT_NE(r.evidence["auth.token.lifetime"].find("expires_in"), std::string::npos);
}

TEST_F(BrokenFronts, ExpiredAndWrongHostCertificates) {
    harness::RegistryServer registry;
    registry.start();
    auto ca = harness::make_certificate_authority(env.path("pki"), "ca");
    auto good = harness::make_server_certificate(ca, env.path("pki"), "good", {.days = 365});
    auto expiring = harness::make_server_certificate(ca, env.path("pki"), "expiring", {.days = 10});
    auto expired = harness::make_server_certificate(ca, env.path("pki"), "expired", {.expired = true});
    auto wrong_host =
        harness::make_server_certificate(ca, env.path("pki"), "wrong", {.names = {"DNS:wrong.example"}});
    struct TlsCase {
        std::string name;
        harness::Certificate cert;
        std::vector<std::string> failing;
    };
    for (const auto& c :
         std::vector<TlsCase>{{"control: a valid certificate", good, {}},
                              {"an expired certificate", expired, {"tls.expiry", "tls.chain"}},
                              {"a certificate for another host", wrong_host, {"tls.hostname"}}}) {
        SCOPED_TRACE(c.name);
        harness::FaultProxy proxy({.upstream = registry.url(),
                                   .tls_certificate = c.cert.cert.string(),
                                   .tls_key = c.cert.key.string()});
        proxy.start();
        auto r = run_conformance(env, {proxy.host() + "/team/app", "--ca-file", ca.cert.string(), "--only",
                                       "tls.*", "--only", "pull.ping"});
        ASSERT_TRUE(r.parsed) << r.run.describe();
        for (const auto& id : c.failing) {
            EXPECT_EQ(r[id], "fail") << id << "\n" << r.describe();
        }
        if (c.failing.empty()) {
            EXPECT_EQ(r.run.exit_code, kOk) << r.describe();
            for (const char* id : {"tls.chain", "tls.hostname", "tls.legacy-versions"})
                EXPECT_EQ(r[id], "pass") << id << "\n" << r.describe();
            EXPECT_EQ(r["tls.expiry"], c.cert.cert == expiring.cert ? "warn" : "pass") << r.describe();
        } else {
            EXPECT_EQ(r.run.exit_code, kFailure) << r.describe();
        }
    }
}

}  // namespace
}  // namespace boxtool::conformance
