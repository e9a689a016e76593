// Pulls through a real forward proxy (tinyproxy) to registries whose names only the proxy can
// resolve: HTTPS through a CONNECT tunnel with the registry's certificate verified end to end,
// plain HTTP through the absolute-URI form, proxy credentials (BasicAuth) from the URL and never
// shown, NO_PROXY, loopback left direct unless asked, and "proxy" in the config file; and
// `boxtool conformance` against a registry only the proxy reaches, its TLS checks included.
#include <gtest/gtest.h>

#include "conformance_report.hpp"
#include "e2e_support.hpp"
#include "harness/certificates.hpp"
#include "harness/files.hpp"
#include "harness/forward_proxy.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

const std::string kName = "registry.proxied.test";
const std::string kPlainName = "plain.proxied.test";
const std::string kProxyUser = "proxyuser";
const std::string kProxyPassword = "Proxy-Pa55-3e9a7c";

// One TLS registry (certificate for kName from a private CA) and one plain-HTTP registry, each with
// the same image, shared by the cases: the servers are the slow part.
class ProxyTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s = new Shared;
        s->ca = harness::make_certificate_authority(s->dir.path(), "proxy-ca");
        auto cert = harness::make_server_certificate(
            s->ca, s->dir.path(), "registry", {.names = {"DNS:" + kName, "IP:127.0.0.1"}, .days = 365});
        s->tls_registry = std::make_unique<harness::RegistryServer>(
            harness::RegistryOptions{.tls = harness::RegistryTls{cert.cert, cert.key}});
        s->tls_registry->start();
        s->plain_registry = std::make_unique<harness::RegistryServer>();
        s->plain_registry->start();
        s->image = harness::make_and_push({.out = s->dir / "src", .tag = "v1", .layers = 2},
                                          s->tls_registry->host(), "proxy/app:v1");
        harness::push_image(s->dir / "src", "v1", s->plain_registry->host(), "proxy/app:v1");
        const std::map<std::string, std::string> hosts = {{kName, "127.0.0.1"}, {kPlainName, "127.0.0.1"}};
        s->proxy = std::make_unique<harness::ForwardProxy>(harness::ForwardProxyOptions{.hosts = hosts});
        s->proxy->start();
        s->auth_proxy = std::make_unique<harness::ForwardProxy>(harness::ForwardProxyOptions{
            .hosts = hosts, .basic_auth = std::pair{kProxyUser, kProxyPassword}});
        s->auth_proxy->start();
    }
    static void TearDownTestSuite() {
        delete s;
        s = nullptr;
    }

    std::string tls_ref() const {
        return kName + ":" + std::to_string(s->tls_registry->port()) + "/proxy/app:v1";
    }
    std::string plain_host() const { return kPlainName + ":" + std::to_string(s->plain_registry->port()); }
    RunResult pull_tls(std::map<std::string, std::string> environment,
                       std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"--ca-file", s->ca.cert.string(), "--connect-timeout", "5"};
        args.insert(args.end(), extra.begin(), extra.end());
        return env.pull(tls_ref(), args, {.env = std::move(environment)});
    }

    struct Shared {
        harness::TempDir dir{"boxtool-proxy-e2e"};
        harness::Certificate ca;
        std::unique_ptr<harness::RegistryServer> tls_registry, plain_registry;
        std::unique_ptr<harness::ForwardProxy> proxy, auth_proxy;
        harness::ImageInfo image;
    };
    static Shared* s;
    CliEnv env;
};
ProxyTest::Shared* ProxyTest::s = nullptr;

TEST_F(ProxyTest, WithoutTheProxyTheNameDoesNotResolve) {
    auto r = pull_tls({});
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("cannot resolve " + kName), std::string::npos) << r.err;
}

TEST_F(ProxyTest, HttpsGoesThroughAConnectTunnelWithTlsVerifiedEndToEnd) {
    const int before = s->tls_registry->count_requests("GET", ".*/manifests/.*");
    auto r = pull_tls({{"HTTPS_PROXY", s->proxy->url()}});
    ASSERT_EQ(r.exit_code, kOk) << r.describe() << s->proxy->log();
    EXPECT_EQ(field(r.out, "Digest"), s->image.digest) << r.out;
    EXPECT_GT(s->tls_registry->count_requests("GET", ".*/manifests/.*"), before);
    EXPECT_NE(s->proxy->log().find("CONNECT " + kName + ":"), std::string::npos) << s->proxy->log();
    // The lower-case variable works the same.
    CliEnv other;
    auto lower = other.pull(tls_ref(), {"--ca-file", s->ca.cert.string()},
                            {.env = {{"https_proxy", s->proxy->url()}}});
    EXPECT_EQ(lower.exit_code, kOk) << lower.describe();
}

TEST_F(ProxyTest, TheRegistryCertificateIsCheckedThroughTheTunnel) {
    // Without the private CA the registry's certificate is not trusted, proxy or not.
    auto r = env.pull(tls_ref(), {}, {.env = {{"HTTPS_PROXY", s->proxy->url()}}});
    EXPECT_EQ(r.exit_code, kNetwork) << r.describe();
    EXPECT_NE(r.err.find("TLS"), std::string::npos) << r.err;
}

TEST_F(ProxyTest, NoProxyEntriesConnectDirectly) {
    for (const std::string& no_proxy :
         {std::string("proxied.test"), std::string(".proxied.test"), std::string("*"),
          kName + ":" + std::to_string(s->tls_registry->port())}) {
        auto r = pull_tls({{"HTTPS_PROXY", s->proxy->url()}, {"NO_PROXY", no_proxy}});
        EXPECT_EQ(r.exit_code, kNetwork) << "NO_PROXY=" << no_proxy << " was not honoured\n" << r.describe();
        EXPECT_NE(r.err.find("cannot resolve"), std::string::npos) << r.err;
    }
    // An entry for another port or another domain leaves the proxy in use.
    auto r = pull_tls({{"HTTPS_PROXY", s->proxy->url()}, {"no_proxy", kName + ":1,example.org,10.0.0.0/8"}});
    EXPECT_EQ(r.exit_code, kOk) << r.describe();
}

TEST_F(ProxyTest, ProxyCredentialsFromTheUrlAndNeverShown) {
    auto refused = pull_tls({{"HTTPS_PROXY", s->auth_proxy->url(false)}});
    EXPECT_EQ(refused.exit_code, kUnauthorized) << refused.describe();
    EXPECT_NE(refused.err.find("proxy"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("407"), std::string::npos) << refused.err;
    auto wrong = pull_tls({{"HTTPS_PROXY", "http://" + kProxyUser +
                                               ":wrong@127.0.0.1:" + std::to_string(s->auth_proxy->port())}});
    EXPECT_EQ(wrong.exit_code, kUnauthorized) << wrong.describe();
    auto r = pull_tls({{"HTTPS_PROXY", s->auth_proxy->url()}}, {"--debug"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe() << s->auth_proxy->log();
    EXPECT_NE(r.err.find("via http://127.0.0.1:" + std::to_string(s->auth_proxy->port())), std::string::npos)
        << r.err;
    for (const auto* result : {&refused, &wrong, &r}) {
        EXPECT_EQ(result->err.find(kProxyPassword), std::string::npos) << result->err;
        EXPECT_EQ(result->out.find(kProxyPassword), std::string::npos) << result->out;
    }
}

TEST_F(ProxyTest, PlainHttpRegistriesUseTheAbsoluteUriForm) {
    auto r = env.pull(kPlainName + ":" + std::to_string(s->plain_registry->port()) + "/proxy/app:v1",
                      {"--insecure-registry", plain_host()},
                      {.env = {{"HTTP_PROXY", s->auth_proxy->url()}, {"HTTPS_PROXY", s->auth_proxy->url()}}});
    ASSERT_EQ(r.exit_code, kOk) << r.describe() << s->auth_proxy->log();
    EXPECT_NE(s->auth_proxy->log().find("http://" + plain_host() + "/v2/"), std::string::npos)
        << s->auth_proxy->log();
}

TEST_F(ProxyTest, ConfigFileProxyWinsOverTheEnvironment) {
    harness::write_file(env.path("cfg.json"), R"({"proxy": {"https": ")" + s->proxy->url() + R"("}})");
    auto r = pull_tls({{"HTTPS_PROXY", "http://127.0.0.1:1"}}, {"--config", env.path("cfg.json").string()});
    EXPECT_EQ(r.exit_code, kOk) << r.describe();
    harness::write_file(env.path("string.json"), R"({"proxy": ")" + s->proxy->url() + R"("})");
    auto str = pull_tls({}, {"--config", env.path("string.json").string()});
    EXPECT_EQ(str.exit_code, kOk) << str.describe();
    harness::write_file(env.path("bad.json"), R"({"proxy": {"htps": "x"}})");
    auto bad = pull_tls({}, {"--config", env.path("bad.json").string()});
    EXPECT_EQ(bad.exit_code, kUsage) << bad.describe();
    EXPECT_NE(bad.err.find("did you mean \"https\""), std::string::npos) << bad.err;
    auto scheme = pull_tls({{"HTTPS_PROXY", "socks5://127.0.0.1:1080"}});
    EXPECT_EQ(scheme.exit_code, kUsage) << scheme.describe();
}

TEST_F(ProxyTest, LoopbackIsDirectUnlessTheConfigAsks) {
    const std::string ref = s->plain_registry->host() + "/proxy/app:v1";
    // A dead proxy does not matter for 127.0.0.1 ...
    auto direct =
        env.pull(ref, {"--insecure-registry", s->plain_registry->host()},
                 {.env = {{"HTTP_PROXY", "http://127.0.0.1:1"}, {"HTTPS_PROXY", "http://127.0.0.1:1"}}});
    EXPECT_EQ(direct.exit_code, kOk) << direct.describe();
    // ... unless loopback is to be proxied too.
    harness::write_file(env.path("loop.json"), R"({"proxy": {"http": ")" + s->proxy->url() +
                                                   R"(", "https": ")" + s->proxy->url() +
                                                   R"(", "loopback": true}})");
    CliEnv other;
    auto proxied = other.pull(
        ref, {"--insecure-registry", s->plain_registry->host(), "--config", env.path("loop.json").string()});
    ASSERT_EQ(proxied.exit_code, kOk) << proxied.describe();
    EXPECT_NE(s->proxy->log().find("http://" + s->plain_registry->host() + "/v2/"), std::string::npos)
        << s->proxy->log();
}

TEST_F(ProxyTest, ConformanceChecksReachTheRegistryThroughTheProxyTlsChecksIncluded) {
    const std::string target = kName + ":" + std::to_string(s->tls_registry->port()) + "/proxy/check";
    const std::vector<std::string> args{
        target,   "--ca-file", s->ca.cert.string(), "--image", "proxy/app:v1", "--only", "pull.*",
        "--only", "tls.*",     "--connect-timeout", "5"};
    // Without the proxy the name does not resolve: nothing passes.
    auto direct = run_conformance(env, args);
    ASSERT_TRUE(direct.parsed) << direct.run.describe();
    EXPECT_NE(direct.run.exit_code, kOk) << direct.run.describe();
    EXPECT_EQ(direct["pull.ping"], "fail") << direct.describe();
    EXPECT_NE(direct.evidence["tls.chain"].find("cannot resolve " + kName), std::string::npos)
        << direct.describe();
    EXPECT_EQ(direct["tls.plain-http"], "skip") << direct.describe();  // no connection proves nothing

    auto r = run_conformance(env, args, {.env = {{"HTTPS_PROXY", s->auth_proxy->url()}}});
    ASSERT_TRUE(r.parsed) << r.run.describe() << s->auth_proxy->log();
    EXPECT_EQ(r.run.exit_code, kOk) << r.describe();
    for (const char* id : {"pull.ping", "pull.manifest.get-by-tag", "pull.blob.get", "tls.chain",
                           "tls.hostname", "tls.expiry", "tls.legacy-versions", "tls.plain-http"})
        EXPECT_EQ(r[id], "pass") << id << "\n" << r.describe();
    // The handshakes the TLS checks make themselves went through CONNECT too: the certificate they
    // looked at is the one for kName, which only the proxy can reach.
    EXPECT_NE(r.evidence["tls.hostname"].find(kName), std::string::npos) << r.describe();
    EXPECT_NE(s->auth_proxy->log().find("CONNECT " + kName + ":"), std::string::npos) << s->auth_proxy->log();
    EXPECT_EQ(r.run.out.find(kProxyPassword), std::string::npos);
    EXPECT_EQ(r.run.err.find(kProxyPassword), std::string::npos);

    // A proxy that refuses the credentials fails the TLS checks with its answer, not a hang.
    auto refused = run_conformance(env, {target, "--ca-file", s->ca.cert.string(), "--only", "tls.chain"},
                                   {.env = {{"HTTPS_PROXY", s->auth_proxy->url(false)}}});
    ASSERT_TRUE(refused.parsed) << refused.run.describe();
    EXPECT_NE(refused.run.exit_code, kOk);
    EXPECT_EQ(refused["tls.chain"], "fail") << refused.describe();
    EXPECT_NE(refused.evidence["tls.chain"].find("refused CONNECT " + kName), std::string::npos)
        << refused.describe();
    EXPECT_NE(refused.evidence["tls.chain"].find("407"), std::string::npos) << refused.describe();
}

}  // namespace
}  // namespace boxtool::conformance
