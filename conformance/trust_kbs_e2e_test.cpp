// Confidential Containers: the signature policy is a KBS resource ("signature_policy":
// "kbs:///default/security-policy/test"), released after attestation through the kbs credential
// source (plugin ABI 1.1 get_resource), and so is the public key the policy names
// ("keyPath": "kbs:///default/cosign-public-key/test"), as image-rs does. The stand-in KBS
// (fixtures/kbs_server.py) checks the attestation and encrypts every resource to the TEE key.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"
#include "harness/kbs_server.hpp"
#include "harness/signing.hpp"

namespace boxtool::conformance {
namespace {

const std::string kPolicyResource = "default/security-policy/test";
const std::string kKeyResource = "default/cosign-public-key/test";
const std::string kAuthResource = "default/credential/registry-auth";

TEST(TrustKbs, TheSignaturePolicyAndItsKeyAreReleasedByTheKbsAfterAttestation) {
    harness::RegistryServer registry;
    registry.start();
    CliEnv env;
    auto image =
        harness::make_and_push({.out = env.path("layout"), .tag = "v1", .layers = 1, .layer_size = 1024},
                               registry.host(), "cc/signed:v1");
    harness::push_image(env.path("layout"), "v1", registry.host(), "cc/unsigned:v1");
    auto key = harness::make_sigstore_key(env.path("keys"), "tenant");
    harness::sigstore_sign(key, registry.url(), "cc/signed", image.digest, registry.host() + "/cc/signed:v1");

    // What a tenant provisions into the KBS: the policy (default reject, sigstore for the registry).
    std::string policy = R"({"default":[{"type":"reject"}],"transports":{"docker":{")" + registry.host() +
                         R"(":[{"type":"sigstoreSigned","keyPath":"kbs:///)" + kKeyResource + R"("}]}}})";
    harness::KbsServer kbs({.resources = {{kPolicyResource, policy},
                                          {kKeyResource, harness::read_file(key.public_key)},
                                          {kAuthResource, R"({"auths":{}})"}}});
    kbs.start();
    auto config = env.path("boxtool.json");
    harness::write_file(config, R"({"signature_policy":"kbs:///)" + kPolicyResource +
                                    R"(","credential_sources":[{"plugin":"kbs","url":")" + kbs.url() +
                                    R"(","resource":"kbs:///)" + kAuthResource + R"(","cert":")" +
                                    kbs.ca_path().string() +
                                    R"(","attester":"sample","allow_sample_attester":true}]})");
    auto pull = [&](const std::string& repo, const std::string& out) {
        return env.pull(registry.host() + "/" + repo + ":v1",
                        {"--insecure-registry", registry.host(), "--config", config.string(), "--output",
                         "oci:" + env.path(out).string() + ":v1", "--progress", "none"});
    };

    auto accepted = pull("cc/signed", "signed-out");
    EXPECT_EQ(accepted.exit_code, kOk) << accepted.describe();
    EXPECT_TRUE(std::filesystem::exists(env.path("signed-out/index.json")));
    EXPECT_EQ(kbs.count("GET", "/kbs/v0/resource/" + kPolicyResource, 200), 1);
    EXPECT_EQ(kbs.count("GET", "/kbs/v0/resource/" + kKeyResource, 200), 1);
    EXPECT_EQ(kbs.count("POST", "/kbs/v0/attest", 200), 1)
        << "one attestation serves every resource of a pull";

    auto refused = pull("cc/unsigned", "unsigned-out");
    EXPECT_EQ(refused.exit_code, kPolicy) << refused.describe();
    EXPECT_NE(refused.err.find("signature policy kbs:///" + kPolicyResource + " refused"), std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("no signature"), std::string::npos) << refused.err;
    EXPECT_FALSE(std::filesystem::exists(env.path("unsigned-out")));
}

TEST(TrustKbs, APolicyTheKbsWithholdsStopsThePullNamingTheResource) {
    harness::RegistryServer registry;
    registry.start();
    CliEnv env;
    harness::make_and_push({.out = env.path("layout"), .tag = "v1", .layers = 1, .layer_size = 1024},
                           registry.host(), "cc/app:v1");
    harness::KbsServer kbs(
        {.resources = {{kPolicyResource, R"({"default":[{"type":"insecureAcceptAnything"}]})"},
                       {kAuthResource, R"({"auths":{}})"}},
         .denied = {kPolicyResource}});
    kbs.start();
    auto config = env.path("boxtool.json");
    auto write_config = [&](const std::string& policy_uri, const std::string& sources) {
        harness::write_file(
            config, R"({"signature_policy":")" + policy_uri + R"(","credential_sources":)" + sources + "}");
    };
    const std::string kbs_source = R"([{"plugin":"kbs","url":")" + kbs.url() + R"(","resource":"kbs:///)" +
                                   kAuthResource + R"(","cert":")" + kbs.ca_path().string() +
                                   R"(","attester":"sample","allow_sample_attester":true}])";
    auto pull = [&] {
        return env.pull(registry.host() + "/cc/app:v1",
                        {"--insecure-registry", registry.host(), "--config", config.string(), "--output",
                         "oci:" + env.path("out").string() + ":v1"});
    };
    write_config("kbs:///" + kPolicyResource, kbs_source);
    auto denied = pull();
    EXPECT_NE(denied.exit_code, kOk) << denied.describe();
    EXPECT_NE(denied.err.find("kbs:///" + kPolicyResource), std::string::npos) << denied.err;
    EXPECT_FALSE(std::filesystem::exists(env.path("out")));

    write_config("kbs:///" + kPolicyResource, "[]");
    auto no_source = pull();
    EXPECT_EQ(no_source.exit_code, kUsage) << no_source.describe();
    EXPECT_NE(no_source.err.find("no credential source"), std::string::npos) << no_source.err;
    EXPECT_FALSE(std::filesystem::exists(env.path("out")));
}

}  // namespace
}  // namespace boxtool::conformance
