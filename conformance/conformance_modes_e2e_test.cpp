// `boxtool conformance` against registry:2 in every harness mode: anonymous, htpasswd, token auth
// (token_server.py), TLS with a private CA, mutual TLS, and a pull-through cache in --image
// read-only mode. In each, every MUST check passes (exit 0), the JSON report names every check,
// and the JUnit file is valid XML (python3's parser) with one testcase per check. The write
// workflows clean up after themselves; without --push nothing is written.
#include <gtest/gtest.h>

#include <algorithm>

#include "conformance_report.hpp"
#include "harness/certificates.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/token_server.hpp"

namespace boxtool::conformance {
namespace {

const std::string kUser = "ci-bot";
const std::string kPassword = "Conf-Pa55-7d31c9";
const harness::Credentials kAdmin{"seeder", "Admin-Pa55-40e1a7"};

int count_writes(const harness::RegistryServer& r) {
    return r.count_requests("PUT", ".*") + r.count_requests("POST", ".*") + r.count_requests("PATCH", ".*") +
           r.count_requests("DELETE", ".*");
}

// The checks that must pass wherever the registry takes pushes and deletes.
void expect_core_workflows_pass(const ConformanceReport& r) {
    for (const char* id : {"pull.ping",
                           "pull.manifest.get-by-tag",
                           "pull.manifest.get-by-digest",
                           "pull.manifest.digest-matches",
                           "pull.manifest.content-type",
                           "pull.blob.get",
                           "pull.blob.get-missing",
                           "pull.errors.manifest-unknown",
                           "pull.errors.blob-unknown",
                           "push.blob.post-put",
                           "push.blob.chunked",
                           "push.blob.streamed",
                           "push.upload.status",
                           "push.upload.cancel",
                           "push.blob.mount",
                           "push.blob.empty",
                           "push.errors.digest-invalid",
                           "push.manifest.put-by-tag",
                           "push.manifest.put-by-digest",
                           "push.manifest.index",
                           "push.manifest.artifact-subject",
                           "discovery.tags.list",
                           "discovery.referrers",
                           "discovery.referrers.listed",
                           "management.manifest.delete",
                           "management.blob.delete",
                           "management.cleanup"})
        EXPECT_EQ(r[id], "pass") << id << "\n" << r.describe();
}

class ConformanceModes : public ::testing::Test {
  protected:
    CliEnv env;

    void expect_green(const ConformanceReport& r) {
        ASSERT_TRUE(r.parsed) << r.run.describe();
        EXPECT_EQ(r.run.exit_code, kOk) << r.describe();
        EXPECT_TRUE(r.must_failures().empty()) << r.describe();
        EXPECT_EQ(r.ids, listed_check_ids(env)) << "the report names every check, in catalog order";
    }

    void expect_junit(const std::filesystem::path& file, const ConformanceReport& r) {
        auto j = read_junit(file);
        ASSERT_TRUE(j.valid) << j.error;
        EXPECT_EQ(j.testcases, static_cast<int>(r.ids.size()));
        EXPECT_EQ(j.names, r.ids);
        int fails = 0, skips = 0;
        for (const auto& id : r.ids) {
            fails += r.result.at(id) == "fail";
            skips += r.result.at(id) == "skip";
        }
        EXPECT_EQ(j.failures, fails);
        EXPECT_EQ(j.skipped, skips);
    }
};

TEST_F(ConformanceModes, AnonymousRegistryPassesEveryMustAndCleansUp) {
    harness::RegistryServer registry;
    registry.start();
    auto junit = env.path("report.xml");
    auto r = run_conformance(env, {registry.host() + "/conformance/anon", "--insecure-registry",
                                   registry.host(), "--push", "--junit", junit.string()});
    expect_green(r);
    expect_core_workflows_pass(r);
    expect_junit(junit, r);
    EXPECT_EQ(r["tls.chain"], "skip");  // plain HTTP
    // Clean-up: nothing the run pushed is left (the repository has no tags).
    auto tags = harness::http_request("GET", registry.host(), "/v2/conformance/anon/tags/list");
    EXPECT_TRUE(tags.status == 404 || tags.body.find("\"tags\":[]") != std::string::npos ||
                tags.body.find("\"tags\":null") != std::string::npos)
        << tags.status << " " << tags.body;

    // Read-only (no --push): nothing is written, and the write checks say so.
    int before = count_writes(registry);
    auto ro =
        run_conformance(env, {registry.host() + "/conformance/anon", "--insecure-registry", registry.host()});
    expect_green(ro);
    EXPECT_EQ(count_writes(registry), before) << "a run without --push wrote to the registry";
    EXPECT_EQ(ro["push.blob.chunked"], "skip");
    EXPECT_NE(ro.evidence["push.blob.chunked"].find("--push"), std::string::npos);
    EXPECT_EQ(ro["pull.manifest.get-by-tag"], "skip");  // no image without --image or --push
}

TEST_F(ConformanceModes, HtpasswdRegistryWithCredentialsFromStdinAndTheOciVariables) {
    harness::RegistryServer registry({.users = {{kUser, kPassword}}});
    registry.start();
    auto junit = env.path("htpasswd.xml");
    auto r = run_conformance(env,
                             {registry.host() + "/team/conformance", "--insecure-registry", registry.host(),
                              "--push", "--creds", kUser, "--password-stdin", "--junit", junit.string()},
                             {.stdin_text = kPassword});
    expect_green(r);
    expect_core_workflows_pass(r);
    expect_junit(junit, r);
    EXPECT_EQ(r["auth.challenge.present"], "pass");
    EXPECT_EQ(r["auth.challenge.grammar"], "pass");
    EXPECT_EQ(r["auth.credentials.bad"], "pass") << r.describe();
    EXPECT_EQ(r["auth.scope.insufficient"], "pass") << r.describe();
    EXPECT_EQ(r["auth.basic.plain-http"], "warn");  // Basic over plain HTTP, accepted as named insecure
    EXPECT_EQ(r.run.out.find(kPassword), std::string::npos);
    EXPECT_EQ(r.run.err.find(kPassword), std::string::npos);
    EXPECT_EQ(harness::read_file(junit).find(kPassword), std::string::npos);

    // The same job written for the OCI conformance suite: its variables, no flags.
    auto oci = run_conformance(env, {},
                               {.env = {{"OCI_ROOT_URL", "http://" + registry.host()},
                                        {"OCI_NAMESPACE", "team/oci-suite"},
                                        {"OCI_USERNAME", kUser},
                                        {"OCI_PASSWORD", kPassword},
                                        {"OCI_TEST_PULL", "1"},
                                        {"OCI_TEST_PUSH", "1"},
                                        {"OCI_TEST_CONTENT_DISCOVERY", "1"},
                                        {"OCI_TEST_CONTENT_MANAGEMENT", "1"}}});
    ASSERT_TRUE(oci.parsed) << oci.run.describe();
    EXPECT_EQ(oci.run.exit_code, kOk) << oci.describe();
    expect_core_workflows_pass(oci);
    EXPECT_EQ(oci.run.out.find(kPassword), std::string::npos);

    // OCI_TEST_* select families: only pull (with OCI_TAG_NAME naming an existing image).
    harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2, .layer_size = 4096},
                           registry.host(), "team/app:v1", harness::Credentials{kUser, kPassword});
    auto pull_only = run_conformance(env, {},
                                     {.env = {{"OCI_ROOT_URL", "http://" + registry.host()},
                                              {"OCI_NAMESPACE", "team/app"},
                                              {"OCI_USERNAME", kUser},
                                              {"OCI_PASSWORD", kPassword},
                                              {"OCI_TEST_PULL", "1"},
                                              {"OCI_TAG_NAME", "v1"}}});
    ASSERT_TRUE(pull_only.parsed) << pull_only.run.describe();
    EXPECT_EQ(pull_only.run.exit_code, kOk) << pull_only.describe();
    EXPECT_EQ(pull_only["pull.manifest.get-by-tag"], "pass") << pull_only.describe();
    EXPECT_EQ(pull_only["push.blob.chunked"], "") << "the push family was not asked for";
    EXPECT_EQ(pull_only["discovery.tags.list"], "");
}

TEST_F(ConformanceModes, TokenAuthRegistryWithOAuthGrantsAndScopes) {
    harness::TokenServer tokens({.users = {{"alice", "Alice-Pa55-1b2c3d", {"team/*"}}}, .admin = kAdmin});
    tokens.start();
    harness::RegistryServer registry({.token = tokens.registry_auth()});
    registry.start();
    auto junit = env.path("token.xml");
    auto r = run_conformance(
        env, {registry.host() + "/team/conformance", "--insecure-registry", registry.host(), "--push",
              "--creds", kAdmin.username + ":" + kAdmin.password, "--junit", junit.string()});
    expect_green(r);
    expect_core_workflows_pass(r);
    expect_junit(junit, r);
    for (const char* id : {"auth.challenge.grammar", "auth.token.anonymous", "auth.token.basic-get",
                           "auth.token.oauth2-post", "auth.token.oauth2-refresh", "auth.token.lifetime",
                           "auth.token.scope", "auth.credentials.bad", "auth.scope.insufficient"})
        EXPECT_EQ(r[id], "pass") << id << "\n" << r.describe();
    EXPECT_EQ(r["auth.challenge.realm-https"], "warn");  // the test token service is plain HTTP
    // Tokens were asked for with push and mount scopes.
    bool push_scope = false, mount_scope = false;
    for (const auto& t : tokens.requests())
        for (const auto& s : t.scopes) {
            push_scope = push_scope || s == "repository:team/conformance:pull,push";
            mount_scope = mount_scope || (s.find("boxtool-mount-") != std::string::npos &&
                                          s.find("pull,push") != std::string::npos);
        }
    EXPECT_TRUE(push_scope && mount_scope);
    for (const auto& text : {r.run.out, r.run.err, harness::read_file(junit)})
        EXPECT_EQ(text.find(kAdmin.password), std::string::npos);

    // A user with pull rights only, read-only against an image: still green.
    harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2, .layer_size = 4096},
                           registry.host(), "team/app:v1", kAdmin);
    auto ro = run_conformance(env, {registry.host() + "/team/app", "--insecure-registry", registry.host(),
                                    "--image", "team/app:v1", "--creds", "alice:Alice-Pa55-1b2c3d"});
    expect_green(ro);
    EXPECT_EQ(ro["pull.manifest.get-by-digest"], "pass") << ro.describe();
    EXPECT_EQ(ro["auth.token.scope"], "pass") << ro.describe();
}

TEST_F(ConformanceModes, TlsRegistryWithAPrivateCa) {
    auto ca = harness::make_certificate_authority(env.path("pki"), "ca");
    auto cert = harness::make_server_certificate(ca, env.path("pki"), "registry", {.days = 365});
    harness::RegistryServer registry({.tls = harness::RegistryTls{cert.cert, cert.key}});
    registry.start();
    auto junit = env.path("tls.xml");
    auto r = run_conformance(env, {registry.host() + "/conformance/tls", "--ca-file", ca.cert.string(),
                                   "--push", "--junit", junit.string()});
    expect_green(r);
    expect_core_workflows_pass(r);
    expect_junit(junit, r);
    for (const char* id :
         {"tls.chain", "tls.hostname", "tls.expiry", "tls.legacy-versions", "tls.plain-http"})
        EXPECT_EQ(r[id], "pass") << id << "\n" << r.describe();

    // Without trusting the CA, the chain check fails, and so does the run.
    auto untrusted = run_conformance(env, {registry.host() + "/conformance/tls", "--only", "tls.*"});
    ASSERT_TRUE(untrusted.parsed) << untrusted.run.describe();
    EXPECT_EQ(untrusted.run.exit_code, kFailure);
    EXPECT_EQ(untrusted["tls.chain"], "fail");
}

TEST_F(ConformanceModes, MutualTlsRegistryWithACertsDFolder) {
    auto ca = harness::make_certificate_authority(env.path("pki"), "ca");
    auto client_ca = harness::make_certificate_authority(env.path("pki"), "client-ca");
    auto cert = harness::make_server_certificate(ca, env.path("pki"), "registry", {.days = 365});
    auto probe = harness::make_client_certificate(client_ca, env.path("pki"), "probe");
    auto client = harness::make_client_certificate(client_ca, env.path("pki"), "client");
    harness::RegistryServer registry(
        {.tls = harness::RegistryTls{cert.cert, cert.key, {client_ca.cert}, probe.cert, probe.key}});
    registry.start();
    auto folder = env.path("certs.d") / registry.host();
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(ca.cert, folder / "ca.crt");
    std::filesystem::copy_file(client.cert, folder / "client.cert");
    std::filesystem::copy_file(client.key, folder / "client.key");
    harness::write_file(env.path("config.json"),
                        "{\"certs_dirs\": [\"" + env.path("certs.d").string() + "\"]}");
    auto r = run_conformance(
        env, {registry.host() + "/conformance/mtls", "--config", env.path("config.json").string(), "--push"});
    expect_green(r);
    expect_core_workflows_pass(r);
    EXPECT_EQ(r["tls.chain"], "pass") << r.describe();
}

TEST_F(ConformanceModes, PullThroughCacheInReadOnlyImageMode) {
    harness::RegistryServer upstream;
    upstream.start();
    // Seeded with boxtool push itself.
    auto image = harness::make_image({.out = env.path("src"), .tag = "v1", .layers = 2, .layer_size = 8192});
    auto pushed = env.boxtool({"push", "oci:" + image.layout.string() + ":v1",
                               upstream.host() + "/library/app:v1", "--insecure-registry", upstream.host()});
    ASSERT_EQ(pushed.exit_code, kOk) << pushed.describe();
    harness::RegistryServer cache({.proxy_remote_url = upstream.url()});
    cache.start();
    int writes = count_writes(cache);
    auto junit = env.path("cache.xml");
    auto r = run_conformance(env, {cache.host() + "/library/app", "--insecure-registry", cache.host(),
                                   "--image", "library/app:v1", "--junit", junit.string()});
    expect_green(r);
    expect_junit(junit, r);
    for (const char* id :
         {"pull.manifest.head-by-tag", "pull.manifest.get-by-tag", "pull.manifest.get-by-digest",
          "pull.blob.head", "pull.blob.get", "pull.blob.get-missing", "pull.errors.manifest-unknown",
          "discovery.tags.list", "discovery.referrers"})
        EXPECT_EQ(r[id], "pass") << id << "\n" << r.describe();
    EXPECT_EQ(r["push.blob.post-put"], "skip");
    EXPECT_EQ(count_writes(cache), writes);
}

TEST(ConformanceCli, UsageErrorsListAndSelection) {
    CliEnv env;
    EXPECT_EQ(env.boxtool({"conformance"}).exit_code, kUsage);                 // no target
    EXPECT_EQ(env.boxtool({"conformance", "127.0.0.1:1"}).exit_code, kUsage);  // no namespace
    EXPECT_EQ(env.boxtool({"conformance", "127.0.0.1:1/ns", "--bogus"}).exit_code, kUsage);
    EXPECT_EQ(env.boxtool({"conformance", "127.0.0.1:1/ns", "--only", "nothing.*"}).exit_code, kUsage);
    auto list = env.boxtool({"conformance", "--list"});
    ASSERT_EQ(list.exit_code, kOk) << list.describe();
    for (const char* id : {"pull.manifest.get-by-digest", "auth.token.oauth2-post", "tls.expiry"})
        EXPECT_NE(list.out.find(id), std::string::npos) << id;
    auto ids = listed_check_ids(env);
    EXPECT_GE(ids.size(), 60u);

    // --only / --skip select checks; a registry that is not there fails pull.ping (exit 1).
    auto r = run_conformance(env, {"127.0.0.1:9/ns", "--insecure-registry", "127.0.0.1:9", "--only", "pull.*",
                                   "--skip", "pull.blob.*"});
    ASSERT_TRUE(r.parsed) << r.run.describe();
    EXPECT_EQ(r.run.exit_code, kFailure);
    EXPECT_EQ(r["pull.ping"], "fail");
    for (const auto& id : r.ids) {
        EXPECT_EQ(id.rfind("pull.", 0), 0u) << id;
        EXPECT_NE(id.rfind("pull.blob.", 0), 0u) << id;
    }
}

}  // namespace
}  // namespace boxtool::conformance
