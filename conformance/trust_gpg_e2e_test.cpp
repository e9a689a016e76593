// Image trust with GPG simple signing, against independent tools: skopeo 1.9 signs
// (`skopeo copy --sign-by`, throwaway keys, `--sign-identity` where a case needs another name) into
// a lookaside configured through `--registries.d`, and judges the same policies
// (`skopeo copy --policy`). For every case boxtool must reach skopeo's verdict; a refusal is exit 8,
// names the image, the scope and why, and writes nothing.
//
// One world (registry, keys, signed images) is shared by the cases of each test to keep CI quick.
#include <gtest/gtest.h>

#include <fstream>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/signature_servers.hpp"
#include "harness/signing.hpp"

namespace boxtool::conformance {
namespace {

using harness::read_file;
using harness::write_file;

struct GpgWorld {
    harness::RegistryServer registry;
    harness::TempDir dir{"boxtool-trust-gpg"};
    harness::GpgHome gpg;
    std::string trusted, other;
    std::filesystem::path trusted_pub, trusted_pub_binary, other_pub;
    harness::Lookaside lookaside;
    harness::ImageInfo single, multi;

    std::string reg() const { return registry.host(); }
    // "REPO" is REPO:v1; "REPO@DIGEST" stays as it is.
    std::string ref(const std::string& repo) const {
        return reg() + "/" + repo + (repo.find('@') == std::string::npos ? ":v1" : "");
    }

    GpgWorld() {
        registry.start();
        trusted = gpg.make_key("boxtool trusted signer <trusted@boxtool.invalid>");
        other = gpg.make_key("boxtool other signer <other@boxtool.invalid>");
        trusted_pub = gpg.export_public(trusted);
        trusted_pub_binary = gpg.export_public(trusted, false);
        other_pub = gpg.export_public(other);
        lookaside = harness::make_file_lookaside(dir.path());
        single = harness::make_image({.out = dir / "layout", .tag = "v1", .layers = 1, .layer_size = 2048});
        multi = harness::make_image({.out = dir / "layout",
                                     .tag = "multi",
                                     .platforms = {"linux/amd64", "linux/arm64"},
                                     .layers = 1,
                                     .layer_size = 2048});
    }
    std::string layout(const std::string& tag) const {
        return "oci:" + (dir / "layout").string() + ":" + tag;
    }
    void sign(const std::string& repo, const std::string& key,
              const std::optional<std::string>& identity = {}) {
        harness::skopeo_sign(gpg, key, layout("v1"), "docker://" + ref(repo), lookaside.registries_d,
                             identity);
    }
    // The lookaside folder skopeo wrote for `repo` and a manifest digest.
    std::filesystem::path signature_dir(const std::string& repo, const std::string& digest) const {
        auto colon = digest.find(':');
        return lookaside.signatures / (repo + "@" + digest.substr(0, colon) + "=" + digest.substr(colon + 1));
    }
    std::filesystem::path policy(const std::string& name, const std::string& json) const {
        auto path = dir / (name + ".json");
        write_file(path, json);
        return path;
    }
    std::string signed_by(const std::filesystem::path& key, const std::string& identity = "") const {
        return R"({"type":"signedBy","keyType":"GPGKeys","keyPath":")" + key.string() + "\"" +
               (identity.empty() ? "" : R"(,"signedIdentity":)" + identity) + "}";
    }
};

struct Case {
    std::string name;
    std::string repo;
    std::filesystem::path policy;
    bool accepted;
    std::string why;    // for a refusal: the reason's words in boxtool's message
    std::string scope;  // the scope boxtool names
    std::vector<std::string> extra{};
};

// Runs one case with boxtool and skopeo and checks both against the expectation.
void check(const GpgWorld& w, CliEnv& env, const Case& c, int n) {
    SCOPED_TRACE("case " + c.name + " (" + w.ref(c.repo) + ", " + c.policy.filename().string() + ")");
    auto out = env.path("out-" + std::to_string(n));
    auto store = env.path("store-" + std::to_string(n));
    std::vector<std::string> args = {"pull",
                                     w.ref(c.repo),
                                     "--store",
                                     store.string(),
                                     "--insecure-registry",
                                     w.reg(),
                                     "--signature-policy",
                                     c.policy.string(),
                                     "--registries.d",
                                     w.lookaside.registries_d.string(),
                                     "--output",
                                     "oci:" + out.string() + ":v1",
                                     "--progress",
                                     "none"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    auto r = env.boxtool(args);
    // --platform linux/ARCH is skopeo's --override-arch ARCH.
    std::vector<std::string> skopeo_platform;
    if (c.extra.size() == 2 && c.extra[0] == "--platform")
        skopeo_platform = {"--override-os", "linux", "--override-arch",
                           c.extra[1].substr(c.extra[1].find('/') + 1)};
    auto skopeo = harness::skopeo_verify(w.ref(c.repo), c.policy, w.lookaside.registries_d,
                                         env.path("skopeo-" + std::to_string(n)), skopeo_platform);
    EXPECT_EQ(skopeo.exit_code == 0, c.accepted) << "skopeo disagrees with the expectation:\n"
                                                 << skopeo.describe();
    if (c.accepted) {
        EXPECT_EQ(r.exit_code, kOk) << r.describe();
        EXPECT_TRUE(std::filesystem::exists(out / "index.json")) << r.describe();
        return;
    }
    EXPECT_EQ(r.exit_code, kPolicy) << r.describe();
    EXPECT_FALSE(std::filesystem::exists(out)) << "a refused image was written";
    // Nothing of the refused image reaches the store either.
    for (const auto& f : harness::list_files(store))
        EXPECT_EQ(f.string().find("/blobs/"), std::string::npos) << "stored: " << f;
    EXPECT_NE(r.err.find(w.ref(c.repo)), std::string::npos) << "the message names the image:\n" << r.err;
    EXPECT_NE(r.err.find(c.scope), std::string::npos) << "the message names the scope:\n" << r.err;
    EXPECT_NE(r.err.find(c.why), std::string::npos) << "the message says why:\n" << r.err;
}

TEST(TrustGpg, VerdictsAgreeWithSkopeoOnTheSamePoliciesAndSignatures) {
    GpgWorld w;
    const std::string reg = w.reg();
    w.sign("signed/app", w.trusted);
    harness::push_image(w.dir / "layout", "v1", reg, "unsigned/app:v1");
    w.sign("other/app", w.other);
    w.sign("renamed/app", w.trusted, reg + "/elsewhere/app:v1");
    w.sign("retagged/app", w.trusted, reg + "/retagged/app:v2");
    w.sign("tampered/app", w.trusted);
    {
        auto file = w.signature_dir("tampered/app", w.single.digest) / "signature-1";
        std::string bytes = read_file(file);
        bytes[bytes.size() - 2] ^= 0x01;  // inside the signature itself
        write_file(file, bytes);
    }

    const std::string reject_default = R"({"default":[{"type":"reject"}],"transports":{"docker":{)";
    auto registry_scope =
        w.policy("registry", reject_default + "\"" + reg + "\":[" + w.signed_by(w.trusted_pub) + "]}}}");
    auto remap = w.policy("remap", reject_default + "\"" + reg + "/renamed\":[" +
                                       w.signed_by(w.trusted_pub, R"({"type":"remapIdentity","prefix":")" +
                                                                      reg + R"(/renamed","signedPrefix":")" +
                                                                      reg + R"(/elsewhere"})") +
                                       "]}}}");
    auto match_repository = w.policy(
        "match-repository", reject_default + "\"" + reg + "\":[" +
                                w.signed_by(w.trusted_pub, R"({"type":"matchRepository"})") + "]}}}");
    auto exact_reference = w.policy(
        "exact-reference", reject_default + "\"" + reg + "\":[" +
                               w.signed_by(w.trusted_pub, R"({"type":"exactReference","dockerReference":")" +
                                                              reg + R"(/elsewhere/app:v1"})") +
                               "]}}}");
    auto reject_scope = w.policy(
        "reject-scope", R"({"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{")" + reg +
                            R"(/signed":[{"type":"reject"}]}}})");
    auto accept_scope =
        w.policy("accept-scope",
                 reject_default + "\"" + reg + R"(/unsigned/app":[{"type":"insecureAcceptAnything"}]}}})");
    // 127.0.0.1 gives the wildcard scopes *.0.0.1, *.0.1 and *.1 (the host without its port).
    auto wildcard =
        w.policy("wildcard", reject_default + R"("*.0.0.1":[)" + w.signed_by(w.trusted_pub) + "]}}}");
    auto specific_over_wildcard =
        w.policy("specific-over-wildcard", reject_default + R"("*.0.0.1":[{"type":"reject"}],")" + reg +
                                               "/signed\":[" + w.signed_by(w.trusted_pub) + "]}}}");
    auto transport_default =
        w.policy("transport-default", reject_default + R"("":[)" + w.signed_by(w.trusted_pub) + "]}}}");
    auto key_data = w.policy("key-data", reject_default + "\"" + reg +
                                             R"(":[{"type":"signedBy","keyType":"GPGKeys","keyData":")" +
                                             harness::base64(read_file(w.trusted_pub)) + R"("}]}}})");
    auto key_paths =
        w.policy("key-paths",
                 reject_default + "\"" + reg + R"(":[{"type":"signedBy","keyType":"GPGKeys","keyPaths":[")" +
                     w.other_pub.string() + R"(",")" + w.trusted_pub_binary.string() + R"("]}]}}})");
    auto two_requirements =
        w.policy("two-requirements", reject_default + "\"" + reg + "\":[" + w.signed_by(w.trusted_pub) +
                                         R"(,{"type":"reject"}]}}})");

    const std::string scope = "docker scope \"" + reg + "\"";
    const std::vector<Case> cases = {
        {"trusted key", "signed/app", registry_scope, true, "", ""},
        {"unsigned", "unsigned/app", registry_scope, false, "no signature", scope},
        {"another key", "other/app", registry_scope, false, "untrusted key", scope},
        {"another identity", "renamed/app", registry_scope, false, "identity mismatch", scope},
        {"another identity, remapIdentity", "renamed/app", remap, true, "", ""},
        {"another tag", "retagged/app", registry_scope, false, "identity mismatch", scope},
        {"another tag, matchRepository", "retagged/app", match_repository, true, "", ""},
        {"another repository, matchRepository", "renamed/app", match_repository, false, "identity mismatch",
         scope},
        {"another identity, exactReference", "renamed/app", exact_reference, true, "", ""},
        {"tampered signature", "tampered/app", registry_scope, false, "bad signature", scope},
        {"reject scope", "signed/app", reject_scope, false, "rejected",
         "docker scope \"" + reg + "/signed\""},
        {"insecureAcceptAnything scope", "unsigned/app", accept_scope, true, "", ""},
        {"wildcard scope, signed", "signed/app", wildcard, true, "", ""},
        {"wildcard scope, unsigned", "unsigned/app", wildcard, false, "no signature",
         "docker scope \"*.0.0.1\""},
        {"specific scope over wildcard", "signed/app", specific_over_wildcard, true, "", ""},
        {"wildcard when nothing more specific", "other/app", specific_over_wildcard, false, "rejected",
         "docker scope \"*.0.0.1\""},
        {"transport default scope", "other/app", transport_default, false, "untrusted key",
         "docker default scope"},
        {"transport default scope, signed", "signed/app", transport_default, true, "", ""},
        {"pulled by digest, signed for a tag", "signed/app@" + w.single.digest, registry_scope, true, "", ""},
        {"pulled by digest, unsigned", "unsigned/app@" + w.single.digest, registry_scope, false,
         "no signature", scope},
        {"pulled by digest, matchExact", "signed/app@" + w.single.digest,
         w.policy("match-exact", reject_default + "\"" + reg + "\":[" +
                                     w.signed_by(w.trusted_pub, R"({"type":"matchExact"})") + "]}}}"),
         false, "identity mismatch", scope},
        {"keyData", "signed/app", key_data, true, "", ""},
        {"keyPaths with a binary key", "signed/app", key_paths, true, "", ""},
        {"every requirement must accept", "signed/app", two_requirements, false, "rejected", scope},
    };
    CliEnv env;
    for (std::size_t i = 0; i < cases.size(); ++i) check(w, env, cases[i], static_cast<int>(i));
}

// skopeo 1.9 copying one platform of an index checks the platform manifest it pulls, not the index:
// `skopeo copy --all --sign-by` signs both, and only the platform manifest's signature counts.
TEST(TrustGpg, WithAnIndexThePlatformManifestMustBeSignedAsSkopeoChecks) {
    GpgWorld w;
    const std::string reg = w.reg();
    harness::skopeo_sign(w.gpg, w.trusted, w.layout("multi"), "docker://" + w.ref("multi/app"),
                         w.lookaside.registries_d, std::nullopt, /*all=*/true);
    auto policy = w.policy("registry", R"({"default":[{"type":"reject"}],"transports":{"docker":{")" + reg +
                                           "\":[" + w.signed_by(w.trusted_pub) + "]}}}");
    const auto& amd64 = w.multi.manifest_for("linux/amd64");
    ASSERT_TRUE(std::filesystem::exists(w.signature_dir("multi/app", w.multi.digest)));
    ASSERT_TRUE(std::filesystem::exists(w.signature_dir("multi/app", amd64.digest)));
    CliEnv env;
    const std::string scope = "docker scope \"" + reg + "\"";
    check(w, env,
          {"index signed with --all", "multi/app", policy, true, "", "", {"--platform", "linux/amd64"}}, 0);
    check(w, env, {"arm64 of the index", "multi/app", policy, true, "", "", {"--platform", "linux/arm64"}},
          1);

    // Without the amd64 manifest's signature, the index's own signature does not help.
    std::filesystem::rename(w.signature_dir("multi/app", amd64.digest), w.dir / "amd64-signature");
    check(w, env,
          {"only the index signed",
           "multi/app",
           policy,
           false,
           "no signature",
           scope,
           {"--platform", "linux/amd64"}},
          2);
    // The index's signature is not needed either.
    std::filesystem::rename(w.dir / "amd64-signature", w.signature_dir("multi/app", amd64.digest));
    std::filesystem::remove_all(w.signature_dir("multi/app", w.multi.digest));
    check(w, env,
          {"only the platform signed", "multi/app", policy, true, "", "", {"--platform", "linux/amd64"}}, 3);

    // `boxtool copy --all` from the registry checks every platform manifest, as `skopeo copy --all`
    // does; the index's own signature is not needed (it was removed above).
    auto copy_all = [&](const std::string& out) {
        return env.boxtool(
            {"copy", "--all", "docker://" + w.ref("multi/app"), "oci:" + env.path(out).string() + ":v1",
             "--insecure-registry", reg, "--signature-policy", policy.string(), "--registries.d",
             w.lookaside.registries_d.string(), "--store", env.path("copy-store").string(), "-q"});
    };
    auto skopeo_copy_all = [&](const std::string& out) {
        return harness::run({"skopeo", "--policy", policy.string(), "--registries.d",
                             w.lookaside.registries_d.string(), "copy", "--all", "--quiet",
                             "--remove-signatures", "--src-tls-verify=false",
                             "docker://" + w.ref("multi/app"), "oci:" + env.path(out).string() + ":x"});
    };
    auto copied = copy_all("copy-all");
    EXPECT_EQ(copied.exit_code, kOk) << copied.describe();
    EXPECT_TRUE(std::filesystem::exists(env.path("copy-all/index.json")));
    auto skopeo_copied = skopeo_copy_all("skopeo-copy-all");
    EXPECT_EQ(skopeo_copied.exit_code, 0) << skopeo_copied.describe();
    std::filesystem::remove_all(w.signature_dir("multi/app", w.multi.manifest_for("linux/arm64").digest));
    auto refused = copy_all("copy-refused");
    EXPECT_EQ(refused.exit_code, kPolicy) << refused.describe();
    EXPECT_NE(refused.err.find("no signature"), std::string::npos) << refused.err;
    EXPECT_FALSE(std::filesystem::exists(env.path("copy-refused")));
    auto skopeo_refused = skopeo_copy_all("skopeo-copy-refused");
    EXPECT_NE(skopeo_refused.exit_code, 0) << skopeo_refused.describe();
}

// `inspect --signatures` lists what it finds and whether each verifies; --insecure-policy says that
// it skips the policy; a missing lookaside folder is no signature.
TEST(TrustGpg, InspectSignaturesAndInsecurePolicy) {
    GpgWorld w;
    const std::string reg = w.reg();
    w.sign("signed/app", w.trusted);
    w.sign("other/app", w.other);
    harness::push_image(w.dir / "layout", "v1", reg, "unsigned/app:v1");
    auto policy = w.policy("registry", R"({"default":[{"type":"reject"}],"transports":{"docker":{")" + reg +
                                           "\":[" + w.signed_by(w.trusted_pub) + "]}}}");
    CliEnv env;
    auto inspect = [&](const std::string& repo) {
        return env.boxtool({"inspect", "--signatures", w.ref(repo), "--insecure-registry", reg,
                            "--signature-policy", policy.string(), "--registries.d",
                            w.lookaside.registries_d.string()});
    };
    auto good = inspect("signed/app");
    ASSERT_EQ(good.exit_code, kOk) << good.describe();
    EXPECT_NE(good.out.find("\"format\": \"simple-signing\""), std::string::npos) << good.out;
    EXPECT_NE(good.out.find("\"verified\": true"), std::string::npos) << good.out;
    EXPECT_NE(good.out.find(w.trusted), std::string::npos) << "the signer's fingerprint:\n" << good.out;
    EXPECT_NE(good.out.find("\"accepted\": true"), std::string::npos) << good.out;
    EXPECT_NE(good.out.find("signature-1"), std::string::npos) << good.out;

    auto bad = inspect("other/app");
    ASSERT_EQ(bad.exit_code, kOk) << bad.describe();
    EXPECT_NE(bad.out.find("\"verified\": false"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("\"problem\": \"untrusted-key\""), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("\"accepted\": false"), std::string::npos) << bad.out;

    auto none = inspect("unsigned/app");
    ASSERT_EQ(none.exit_code, kOk) << none.describe();
    EXPECT_NE(none.out.find("\"signatures\": [\n\n  ]"), std::string::npos) << none.out;
    EXPECT_NE(none.out.find("\"problem\": \"no-signature\""), std::string::npos) << none.out;

    // --insecure-policy: the same refusing policy is not applied, and the CLI says so.
    auto insecure_pull =
        env.pull(w.ref("unsigned/app"), {"--insecure-registry", reg, "--signature-policy", policy.string(),
                                         "--insecure-policy", "--progress", "none"});
    EXPECT_EQ(insecure_pull.exit_code, kOk) << insecure_pull.describe();
    EXPECT_NE(insecure_pull.err.find("--insecure-policy"), std::string::npos) << insecure_pull.err;

    // The policy and registries.d from the config file, paths relative to it.
    std::filesystem::create_directories(env.path("cfg"));
    write_file(env.path("cfg/policy.json"), read_file(policy));
    std::filesystem::copy(w.lookaside.registries_d, env.path("cfg/registries.d"));
    write_file(env.path("cfg/boxtool.json"),
               R"({"signature_policy":"policy.json","registries_d":"registries.d"})");
    auto from_config =
        env.pull(w.ref("other/app"), {"--insecure-registry", reg, "--config",
                                      env.path("cfg/boxtool.json").string(), "--progress", "none"});
    EXPECT_EQ(from_config.exit_code, kPolicy) << from_config.describe();
    EXPECT_NE(from_config.err.find("untrusted key"), std::string::npos) << from_config.err;
    auto good_from_config =
        env.pull(w.ref("signed/app"), {"--insecure-registry", reg, "--config",
                                       env.path("cfg/boxtool.json").string(), "--progress", "none"});
    EXPECT_EQ(good_from_config.exit_code, kOk) << good_from_config.describe();

    // An http lookaside serving what skopeo wrote to its staging folder: both read it there.
    harness::HostileLookaside web("files", w.lookaside.signatures);
    web.start();
    std::filesystem::create_directories(w.dir / "http.d");
    write_file(w.dir / "http.d/web.yaml",
               "docker:\n  " + reg + ":\n    lookaside: http://" + web.host() + "\n");
    for (const auto& [repo, accepted] :
         std::vector<std::pair<std::string, bool>>{{"signed/app", true}, {"other/app", false}}) {
        SCOPED_TRACE("http lookaside, " + repo);
        auto r = env.pull(w.ref(repo), {"--insecure-registry", reg, "--signature-policy", policy.string(),
                                        "--registries.d", (w.dir / "http.d").string(), "--progress", "none"});
        EXPECT_EQ(r.exit_code, accepted ? kOk : kPolicy) << r.describe();
        auto s = harness::skopeo_verify(w.ref(repo), policy, w.dir / "http.d",
                                        env.path(accepted ? "skopeo-http-signed" : "skopeo-http-other"));
        EXPECT_EQ(s.exit_code == 0, accepted) << s.describe();
    }
    EXPECT_GE(web.count_requests("GET", "/signed/app@sha256=.*/signature-1"), 2);

    // Without flags, the user's ~/.config/containers/policy.json and registries.d apply, as for skopeo.
    std::filesystem::create_directories(env.home() / ".config/containers");
    write_file(env.home() / ".config/containers/policy.json", read_file(policy));
    std::filesystem::copy(w.lookaside.registries_d, env.home() / ".config/containers/registries.d");
    auto by_default = env.pull(w.ref("other/app"), {"--insecure-registry", reg, "--progress", "none"});
    EXPECT_EQ(by_default.exit_code, kPolicy) << by_default.describe();
    EXPECT_NE(by_default.err.find(".config/containers/policy.json"), std::string::npos) << by_default.err;
    auto signed_by_default =
        env.pull(w.ref("signed/app"), {"--insecure-registry", reg, "--progress", "none"});
    EXPECT_EQ(signed_by_default.exit_code, kOk) << signed_by_default.describe();

    // Verifying starts no gpg-agent in boxtool's throwaway GnuPG homes (one would outlive them).
    auto agents = harness::run({"pgrep", "-af", "gpg-agent --homedir [^ ]*/boxtool-gpg-[A-Za-z0-9]{6}( |$)"});
    EXPECT_NE(agents.exit_code, 0) << "left behind: " << agents.out;
}

}  // namespace
}  // namespace boxtool::conformance
