// The kbs credential source end to end: boxtool attests to a stand-in Key Broker Service
// (fixtures/kbs_server.py, RCAR 0.4.0 over TLS) with the sample attester, receives a docker-style
// auth.json as a JWE for its TEE key, and pulls from an htpasswd registry:2 with it. Policy
// refusal, a missing resource, the sample attester's opt-in, re-attestation after a 401 and TLS
// verification are checked, and no secret ever appears in the output.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/kbs_server.hpp"
#include "harness/paths.hpp"
#include "harness/process.hpp"

namespace boxtool::conformance {
namespace {

const std::string kUser = "kbs-user";
const std::string kPassword = "Kbs-Pa55-8d31c0e2";
const std::string kResource = "default/credential/registry-auth";

class KbsSource : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                       "e2e/private:v1", harness::Credentials{kUser, kPassword});
    }
    // The auth.json a KBS holds for this registry, as Confidential Containers stores it.
    std::string auth_json() const {
        return R"({"auths":{")" + registry.host() + R"(":{"auth":")" +
               harness::base64(kUser + ":" + kPassword) + R"("}}})";
    }
    void start_kbs(harness::KbsServerOptions options) {
        kbs = std::make_unique<harness::KbsServer>(std::move(options));
        kbs->start();
    }
    // A config with one kbs source; `extra` is appended to its settings.
    std::filesystem::path config(const std::string& extra = "", const std::string& resource = kResource) {
        auto path = env.path("boxtool.json");
        harness::write_file(path, R"({"credential_sources":[{"plugin":"kbs","url":")" + kbs->url() +
                                      R"(","resource":"kbs:///)" + resource + R"(","cert":")" +
                                      kbs->ca_path().string() + R"(","attester":"sample")" + extra + "}]}");
        return path;
    }
    RunResult pull(const std::filesystem::path& cfg) {
        return env.pull(registry.host() + "/e2e/private:v1",
                        {"--insecure-registry", registry.host(), "--config", cfg.string()});
    }
    void expect_no_secret(const RunResult& r) const {
        for (const auto& secret : {kPassword, harness::base64(kUser + ":" + kPassword)}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret leaked to stdout:\n" << r.out;
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret leaked to stderr:\n" << r.err;
        }
        EXPECT_EQ(r.err.find("Bearer"), std::string::npos) << r.err;
    }
    // An auth.json with entries for the fixture's registry and `other`.
    std::string two_registries(const harness::RegistryServer& other) const {
        return R"({"auths":{")" + registry.host() + R"(":{"auth":")" +
               harness::base64(kUser + ":" + kPassword) + R"("},")" + other.host() + R"(":{"auth":")" +
               harness::base64(kUser + ":" + kPassword) + R"("}}})";
    }
    // Pulls the unqualified e2e/private:v1 trying `first` (which lacks it) before the fixture's registry.
    RunResult pull_via(const harness::RegistryServer& first) {
        return env.pull("e2e/private:v1", {"--registry", first.host(), "--registry", registry.host(),
                                           "--insecure-registry", first.host(), "--insecure-registry",
                                           registry.host(), "--config", config(enabled).string()});
    }
    bool pulled_nothing() const {
        return !std::filesystem::exists(env.store() / "blobs") ||
               harness::list_files(env.store() / "blobs").empty();
    }

    harness::RegistryServer registry{{.users = {{kUser, kPassword}}}};
    CliEnv env;
    harness::ImageInfo image;
    std::unique_ptr<harness::KbsServer> kbs;
    const std::string enabled = R"(,"allow_sample_attester":true)";
};

TEST_F(KbsSource, PullsWithCredentialsReleasedAfterAttestation) {
    start_kbs({.resources = {{kResource, auth_json()}}});
    auto r = pull(config(enabled));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    EXPECT_EQ(kbs->count("POST", "/kbs/v0/auth", 200), 1);
    EXPECT_EQ(kbs->count("POST", "/kbs/v0/attest", 200), 1);
    EXPECT_EQ(kbs->count("GET", "/kbs/v0/resource/" + kResource, 200), 1);
    // The sample attester proves nothing, and says so.
    EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("\"sample\" attester"), std::string::npos) << r.err;
    expect_no_secret(r);
}

TEST_F(KbsSource, RsaTeeKeysWithOaep256AndWithRsa15FromOlderBrokers) {
    start_kbs({.resources = {{kResource, auth_json()}}});
    auto r = pull(config(enabled + R"(,"tee_key":"rsa")"));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    kbs = std::make_unique<harness::KbsServer>(
        harness::KbsServerOptions{.resources = {{kResource, auth_json()}}, .rsa1_5 = true});
    kbs->start();
    std::filesystem::remove_all(env.store());
    auto old = pull(config(enabled + R"(,"tee_key":"rsa")"));
    ASSERT_EQ(old.exit_code, kOk) << old.describe();
    EXPECT_EQ(field(old.out, "Digest"), image.digest);
    expect_no_secret(old);
}

TEST_F(KbsSource, TheReportDataUsesTheHashTheKbsSelects) {
    start_kbs({.resources = {{kResource, auth_json()}}, .hash_algorithm = "sha512"});
    auto r = pull(config(enabled));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(kbs->count("POST", "/kbs/v0/attest", 200), 1);
}

TEST_F(KbsSource, APlainHttpKbsWorksWithAWarning) {
    start_kbs({.resources = {{kResource, auth_json()}}, .tls = false});
    auto cfg = env.path("boxtool.json");
    harness::write_file(cfg, R"({"credential_sources":[{"plugin":"kbs","url":")" + kbs->url() +
                                 R"(","resource":"kbs:///)" + kResource + R"(","attester":"sample")" +
                                 enabled + "}]}");
    auto r = pull(cfg);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("is plain HTTP"), std::string::npos) << r.err;
    expect_no_secret(r);
}

TEST_F(KbsSource, PolicyRefusalIsAClearErrorAndPullsNothing) {
    start_kbs({.resources = {{kResource, auth_json()}}, .denied = {kResource}});
    auto r = pull(config(enabled));
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("403"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("policy"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(kbs->url()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("kbs:///" + kResource), std::string::npos) << r.err;
    EXPECT_TRUE(pulled_nothing());
    expect_no_secret(r);
}

TEST_F(KbsSource, AMissingResourceIsAnErrorNamingIt) {
    start_kbs({.resources = {{kResource, auth_json()}}});
    auto r = pull(config(enabled, "default/credential/absent"));
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("404"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("kbs:///default/credential/absent"), std::string::npos) << r.err;
    EXPECT_TRUE(pulled_nothing());
}

TEST_F(KbsSource, TheSampleAttesterMustBeEnabledExplicitly) {
    start_kbs({.resources = {{kResource, auth_json()}}});
    auto r = pull(config());
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("allow_sample_attester"), std::string::npos) << r.err;
    EXPECT_TRUE(kbs->requests().empty()) << "the plugin talked to the KBS without being allowed to attest";
    EXPECT_TRUE(pulled_nothing());
}

TEST_F(KbsSource, AnExpiredSessionIsAttestedAgainOnce) {
    start_kbs({.resources = {{kResource, auth_json()}}, .expire_sessions = 1});
    auto r = pull(config(enabled));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(kbs->count("POST", "/kbs/v0/attest", 200), 2);
    EXPECT_EQ(kbs->count("GET", "/kbs/v0/resource/", 401), 1);
    EXPECT_EQ(kbs->count("GET", "/kbs/v0/resource/", 200), 1);
    expect_no_secret(r);
}

TEST_F(KbsSource, AKbsThatKeepsAnswering401IsAnErrorAfterOneRetry) {
    start_kbs({.resources = {{kResource, auth_json()}}, .expire_sessions = 10});
    auto r = pull(config(enabled));
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("401"), std::string::npos) << r.err;
    EXPECT_EQ(kbs->count("POST", "/kbs/v0/attest", 200), 2) << "expected exactly one re-attestation";
    EXPECT_TRUE(pulled_nothing());
}

TEST_F(KbsSource, TheKbsCertificateIsVerified) {
    start_kbs({.resources = {{kResource, auth_json()}}});
    auto other_ca = harness::make_certificate_authority(env.path("other"), "other-ca");
    auto path = env.path("boxtool.json");
    harness::write_file(path, R"({"credential_sources":[{"plugin":"kbs","url":")" + kbs->url() +
                                  R"(","resource":"kbs:///)" + kResource + R"(","cert":")" +
                                  other_ca.cert.string() + R"(","attester":"sample")" + enabled + "}]}");
    auto r = pull(path);
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("TLS"), std::string::npos) << r.err;
    EXPECT_EQ(kbs->count("POST", "/kbs/v0/attest"), 0);
    EXPECT_TRUE(pulled_nothing());
}

// Two registries in one pull (the first has no such image): the plugin asks the KBS for the
// resource twice but attests once, reusing the session cookie and token.
TEST_F(KbsSource, TheSessionAndTokenAreReusedWithinAPull) {
    harness::RegistryServer empty{{.users = {{kUser, kPassword}}}};
    empty.start();
    start_kbs({.resources = {{kResource, two_registries(empty)}}});
    auto r = pull_via(empty);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    EXPECT_EQ(kbs->count("GET", "/kbs/v0/resource/", 200), 2) << r.describe();
    EXPECT_EQ(kbs->count("POST", "/kbs/v0/attest"), 1);
    EXPECT_EQ(kbs->count("POST", "/kbs/v0/auth"), 1);
    expect_no_secret(r);
}

// A token that expires within the minute is not reused: the next lookup attests again.
TEST_F(KbsSource, ATokenAboutToExpireIsNotReused) {
    harness::RegistryServer empty{{.users = {{kUser, kPassword}}}};
    empty.start();
    start_kbs({.resources = {{kResource, two_registries(empty)}}, .token_lifetime = 30});
    auto r = pull_via(empty);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(kbs->count("GET", "/kbs/v0/resource/", 200), 2);
    EXPECT_EQ(kbs->count("POST", "/kbs/v0/attest", 200), 2);
    EXPECT_EQ(kbs->count("GET", "/kbs/v0/resource/", 401), 0) << "the client should not wait for a 401";
}

// The stand-in itself, driven by a client written in Python: it must refuse evidence for another
// nonce or with report data that does not bind the runtime data, and resources without both the
// session cookie and the token; otherwise the tests above would prove nothing.
TEST(KbsStandIn, ChecksTheNonceTheReportDataBindingTheCookieAndTheToken) {
    harness::KbsServer kbs({.resources = {{kResource, "{}"}}, .tls = false});
    kbs.start();
    const std::string client = R"PY(
import base64, hashlib, json, sys, urllib.request, urllib.error
from cryptography.hazmat.primitives.asymmetric import ec
url = sys.argv[1]
def call(method, path, body=None, headers={}):
    req = urllib.request.Request(url + path, method=method, headers=dict(headers, **{"Content-Type": "application/json"}),
                                 data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
key = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
jwk = {"alg": "ECDH-ES+A256KW", "crv": "P-256", "kty": "EC", "x": b64u(key.x.to_bytes(32, "big")), "y": b64u(key.y.to_bytes(32, "big"))}
def session():
    s, h, b = call("POST", "/kbs/v0/auth", {"version": "0.4.0", "tee": "sample", "extra-params": ""})
    return h["Set-Cookie"].split(";")[0], json.loads(b)["nonce"]
def attest(cookie, nonce, bound_to=None):
    runtime = {"nonce": nonce, "tee-pubkey": jwk}
    canon = json.dumps(bound_to or runtime, sort_keys=True, separators=(",", ":")).encode()
    ev = {"svn": "1", "report_data": base64.b64encode(hashlib.sha384(canon).digest()).decode()}
    return call("POST", "/kbs/v0/attest", {"runtime-data": runtime, "tee-evidence": ev}, {"Cookie": cookie})
cookie, nonce = session()
print("wrong-nonce", attest(cookie, "x" + nonce)[0])
print("unbound", attest(cookie, nonce, {"nonce": nonce, "tee-pubkey": {}})[0])
print("no-cookie", attest("kbs-session-id=nope", nonce)[0])
s, h, b = attest(cookie, nonce)
print("good", s)
token = json.loads(b)["token"]
path = "/kbs/v0/resource/default/credential/registry-auth"
print("no-token", call("GET", path, headers={"Cookie": cookie})[0])
print("no-cookie-token", call("GET", path, headers={"Authorization": "Bearer " + token})[0])
print("both", call("GET", path, headers={"Cookie": cookie, "Authorization": "Bearer " + token})[0])
)PY";
    auto r = harness::run({harness::python().string(), "-c", client, kbs.url()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out,
              "wrong-nonce 401\nunbound 401\nno-cookie 401\ngood 200\nno-token 401\nno-cookie-token "
              "401\nboth 200\n");
}

// Settings are checked when the source starts, before any registry or KBS is contacted.
TEST(KbsSettings, MisconfigurationsAreClearConfigErrors) {
    CliEnv env;
    const std::string base = R"("plugin":"kbs","attester":"sample","allow_sample_attester":true)";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"("url":"https://127.0.0.1:9")", "setting \"resource\" is required"},
        {R"("resource":"kbs:///default/credential/x")", "setting \"url\" is required"},
        {R"("url":"https://127.0.0.1:9","resource":"kbs:///default/x")", "kbs:///REPOSITORY/TYPE/TAG"},
        {R"("url":"https://127.0.0.1:9","resource":"kbs://other:1/default/credential/x")",
         "names KBS other:1"},
        {R"("url":"https://127.0.0.1:9","resource":"kbs:///a/b/c","tee_key":"dsa")", "\"tee_key\""},
        {R"("url":"https://127.0.0.1:9","resource":"kbs:///a/b/c","attester":"tdx")",
         "unknown attester \"tdx\""},
        {R"("url":"https://127.0.0.1:9","resource":"kbs:///a/b/c","cert":"/nonexistent.pem")",
         "/nonexistent.pem"},
    };
    for (const auto& [settings, expected] : cases) {
        SCOPED_TRACE(settings);
        auto cfg = env.path("boxtool.json");
        // A later key wins in Poco's JSON objects, so a case may override "attester".
        harness::write_file(cfg, R"({"credential_sources":[{)" + base + "," + settings + "}]}");
        auto r =
            env.pull("127.0.0.1:9/x/y:v1", {"--insecure-registry", "127.0.0.1:9", "--config", cfg.string()});
        EXPECT_NE(r.exit_code, kOk) << r.describe();
        EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
        EXPECT_EQ(r.err.find("trying"), std::string::npos) << "the pull started despite the bad settings:\n"
                                                           << r.err;
    }
}

}  // namespace
}  // namespace boxtool::conformance
