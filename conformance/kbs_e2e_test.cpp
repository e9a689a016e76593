// The kbs credential source end to end: boxtool attests to a stand-in Key Broker Service
// (fixtures/kbs_server.py, RCAR 0.4.0 over TLS) with the sample attester, receives a docker-style
// auth.json as a JWE for its TEE key, and pulls from an htpasswd registry:2 with it. Policy
// refusal, a missing resource, the sample attester's opt-in, re-attestation after a 401 and TLS
// verification are checked, and no secret ever appears in the output.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"
#include "harness/kbs_server.hpp"

namespace boxtool::conformance {
namespace {

const std::string kUser = "kbs-user";
const std::string kPassword = "Kbs-Pa55-8d31c0e2";
const std::string kResource = "default/credential/registry-auth";

std::string b64(const std::string& s) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int val = 0, bits = -6;
    for (unsigned char c : s) {
        val = (val << 8) + c;
        bits += 8;
        while (bits >= 0) {
            out.push_back(t[(val >> bits) & 0x3F]);
            bits -= 6;
        }
    }
    if (bits > -6) out.push_back(t[((val << 8) >> (bits + 8)) & 0x3F]);
    while (out.size() % 4) out.push_back('=');
    return out;
}

class KbsSource : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                       "e2e/private:v1", harness::Credentials{kUser, kPassword});
    }
    // The auth.json a KBS holds for this registry, as Confidential Containers stores it.
    std::string auth_json() const {
        return R"({"auths":{")" + registry.host() + R"(":{"auth":")" + b64(kUser + ":" + kPassword) +
               R"("}}})";
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
        for (const auto& secret : {kPassword, b64(kUser + ":" + kPassword)}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret leaked to stdout:\n" << r.out;
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret leaked to stderr:\n" << r.err;
        }
        EXPECT_EQ(r.err.find("Bearer"), std::string::npos) << r.err;
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

}  // namespace
}  // namespace boxtool::conformance
