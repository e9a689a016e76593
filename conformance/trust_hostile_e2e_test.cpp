// Image trust against hostile or broken input: malformed policies and registries.d files (refused
// as skopeo refuses them), malformed, oversized and too many signatures, and lookaside servers whose
// answers never end. Each is a clear error, and nothing is written.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"
#include "harness/signature_servers.hpp"
#include "harness/signing.hpp"

namespace boxtool::conformance {
namespace {

using harness::write_file;

class TrustHostile : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        digest = harness::make_and_push({.out = dir / "layout", .tag = "v1", .layers = 1, .layer_size = 1024},
                                        registry.host(), "hostile/app:v1")
                     .digest;
        key = dir / "key.asc";
        write_file(key, "not used: no signature gets that far\n");
        lookaside = harness::make_file_lookaside(dir.path());
        policy = write_policy("good", R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":")" +
                                          key.string() + R"("}]})");
    }
    std::string ref() const { return registry.host() + "/hostile/app:v1"; }
    std::filesystem::path write_policy(const std::string& name, const std::string& text) {
        auto path = dir / (name + ".json");
        write_file(path, text);
        return path;
    }
    // The lookaside folder of the image's signatures.
    std::filesystem::path signatures() const {
        return lookaside.signatures / ("hostile/app@sha256=" + digest.substr(7));
    }
    RunResult pull(const std::filesystem::path& policy_file, const std::filesystem::path& registries_d,
                   const std::vector<std::string>& extra = {}) {
        auto out = env.path("out");
        std::vector<std::string> args = {"--insecure-registry",
                                         registry.host(),
                                         "--signature-policy",
                                         policy_file.string(),
                                         "--registries.d",
                                         registries_d.string(),
                                         "--output",
                                         "oci:" + out.string() + ":v1",
                                         "--progress",
                                         "none"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = env.pull(ref(), args);
        EXPECT_FALSE(std::filesystem::exists(out)) << "written despite: " << r.describe();
        return r;
    }
    harness::RunResult skopeo(const std::filesystem::path& policy_file,
                              const std::filesystem::path& registries_d) {
        return harness::skopeo_verify(ref(), policy_file, registries_d, env.path("skopeo-out"));
    }

    harness::RegistryServer registry;
    harness::TempDir dir{"boxtool-trust-hostile"};
    CliEnv env;
    std::string digest;
    std::filesystem::path key, policy;
    harness::Lookaside lookaside;
};

TEST_F(TrustHostile, MalformedPoliciesAreRefusedBeforeAnythingIsPulledAsSkopeoRefusesThem) {
    const std::vector<std::pair<std::string, std::string>> policies = {
        {"not-json", "{\"default\": ["},
        {"empty", ""},
        {"array", "[]"},
        {"no-default", R"({"transports":{}})"},
        {"empty-default", R"({"default":[]})"},
        {"unknown-type", R"({"default":[{"type":"acceptEverything"}]})"},
        {"unknown-key", R"({"default":[{"type":"reject"}],"defualt":[]})"},
        {"duplicate-key", R"({"default":[{"type":"reject"}],"default":[{"type":"insecureAcceptAnything"}]})"},
        {"no-key-type", R"({"default":[{"type":"signedBy","keyPath":"/k"}]})"},
        {"two-keys",
         R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","keyData":"YQ=="}]})"},
        {"bad-key-data", R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"!!"}]})"},
        {"bad-identity",
         R"({"default":[{"type":"sigstoreSigned","keyPath":"/k","signedIdentity":{"type":"nope"}}]})"},
        {"scope-not-list",
         R"({"default":[{"type":"reject"}],"transports":{"docker":{"a.io":{"type":"reject"}}}})"},
    };
    for (const auto& [name, text] : policies) {
        SCOPED_TRACE(name);
        auto file = write_policy(name, text);
        int asked = registry.count_requests("GET", "/manifests/");
        auto r = pull(file, lookaside.registries_d);
        EXPECT_EQ(r.exit_code, kUsage) << r.describe();
        EXPECT_NE(r.err.find("invalid signature policy " + file.string()), std::string::npos) << r.err;
        EXPECT_EQ(registry.count_requests("GET", "/manifests/"), asked) << "nothing is asked of the registry";
        EXPECT_NE(skopeo(file, lookaside.registries_d).exit_code, 0) << "skopeo accepts policy " << name;
    }
    auto missing = pull(dir / "does-not-exist.json", lookaside.registries_d);
    EXPECT_EQ(missing.exit_code, kUsage) << missing.describe();
    EXPECT_NE(missing.err.find("does-not-exist.json"), std::string::npos) << missing.err;

    // A malformed registries.d file is as fatal to boxtool as to skopeo.
    std::filesystem::create_directories(dir / "bad.d");
    write_file(dir / "bad.d/broken.yaml", "docker:\n  quay.io: [\n");
    auto yaml = pull(policy, dir / "bad.d");
    EXPECT_EQ(yaml.exit_code, kUsage) << yaml.describe();
    EXPECT_NE(yaml.err.find("broken.yaml"), std::string::npos) << yaml.err;
    EXPECT_NE(skopeo(policy, dir / "bad.d").exit_code, 0);
}

TEST_F(TrustHostile, MalformedOversizedEmptyAndTooManySignaturesAreRefused) {
    std::filesystem::create_directories(signatures());
    auto sig = signatures() / "signature-1";

    write_file(sig, "this is not an OpenPGP message at all");
    auto garbage = pull(policy, lookaside.registries_d);
    EXPECT_EQ(garbage.exit_code, kPolicy) << garbage.describe();
    EXPECT_NE(garbage.err.find("invalid signature"), std::string::npos) << garbage.err;
    EXPECT_NE(skopeo(policy, lookaside.registries_d).exit_code, 0);

    // An OpenPGP-looking blob that is not a signed message.
    write_file(sig, std::string("\xa3\x01", 2) + std::string(200, '\x5a'));
    auto corrupt = pull(policy, lookaside.registries_d);
    EXPECT_EQ(corrupt.exit_code, kPolicy) << corrupt.describe();
    EXPECT_NE(skopeo(policy, lookaside.registries_d).exit_code, 0);

    write_file(sig, std::string(5 * 1024 * 1024, '\xa3'));
    auto huge = pull(policy, lookaside.registries_d);
    EXPECT_EQ(huge.exit_code, kIntegrity) << huge.describe();
    EXPECT_NE(huge.err.find("larger than 4 MiB"), std::string::npos) << huge.err;

    write_file(sig, "");
    auto empty = pull(policy, lookaside.registries_d);
    EXPECT_NE(empty.exit_code, kOk) << empty.describe();
    EXPECT_NE(empty.err.find("empty"), std::string::npos) << empty.err;
    EXPECT_NE(skopeo(policy, lookaside.registries_d).exit_code, 0);

    for (int i = 1; i <= 129; ++i) write_file(signatures() / ("signature-" + std::to_string(i)), "\xa3 junk");
    auto many = pull(policy, lookaside.registries_d);
    EXPECT_NE(many.exit_code, kOk) << many.describe();
    EXPECT_NE(many.err.find("more than 128 signatures"), std::string::npos) << many.err;
    EXPECT_NE(skopeo(policy, lookaside.registries_d).exit_code, 0);
}

// A real GPG signature whose signed payload inflates from a few hundred KiB to 20 MiB: refused
// once 4 MiB came out, without holding the rest in memory.
TEST_F(TrustHostile, ASignedPayloadThatInflatesPastFourMebibytesIsRefused) {
    harness::GpgHome gpg;
    auto fpr = gpg.make_key("boxtool bomb maker <bomb@boxtool.invalid>");
    auto bomb_policy =
        write_policy("bomb", R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":")" +
                                 gpg.export_public(fpr).string() + R"("}]})");
    std::filesystem::create_directories(signatures());
    auto signed_bomb =
        harness::run({"sh", "-c",
                      "head -c 20971520 /dev/zero | gpg --batch --pinentry-mode loopback --passphrase '' "
                      "--compress-level 9 -u " +
                          fpr + " --sign > '" + (signatures() / "signature-1").string() + "'"},
                     {.env = gpg.env()});
    ASSERT_EQ(signed_bomb.exit_code, 0) << signed_bomb.describe();
    ASSERT_LT(std::filesystem::file_size(signatures() / "signature-1"), 4u * 1024 * 1024);
    auto r = pull(bomb_policy, lookaside.registries_d);
    EXPECT_EQ(r.exit_code, kPolicy) << r.describe();
    EXPECT_NE(r.err.find("signed payload is larger than 4 MiB"), std::string::npos) << r.err;
}

// An http lookaside that streams forever, sends too much, trickles, stalls or fails: each ends with
// an error naming the lookaside URL (--timeout bounds the silent and the trickling ones as a whole).
TEST_F(TrustHostile, LookasideAnswersThatNeverEndAreCutOff) {
    struct Mode {
        std::string mode;
        int exit_code;
        std::string words;
    };
    const std::vector<Mode> modes = {
        {"endless", kIntegrity, "larger than 4 MiB"},
        {"huge", kIntegrity, "larger than 4 MiB"},
        {"trickle", kNetwork, "did not finish within"},
        {"stall", kNetwork, ""},
        {"error", kNetwork, "answered 500"},
    };
    for (const auto& m : modes) {
        SCOPED_TRACE(m.mode);
        harness::HostileLookaside server(m.mode);
        server.start();
        auto rd = dir / ("rd-" + m.mode);
        std::filesystem::create_directories(rd);
        write_file(rd / "lookaside.yaml", "default-docker:\n  lookaside: " + server.url() + "/sigs\n");
        auto r = pull(policy, rd, {"--timeout", "2"});
        EXPECT_EQ(r.exit_code, m.exit_code) << r.describe();
        EXPECT_NE(r.err.find(server.url() + "/sigs/hostile/app@sha256="), std::string::npos) << r.err;
        EXPECT_NE(r.err.find(m.words), std::string::npos) << r.err;
        EXPECT_GE(server.count_requests("GET", "/signature-1$"), 1);
    }
}

}  // namespace
}  // namespace boxtool::conformance
