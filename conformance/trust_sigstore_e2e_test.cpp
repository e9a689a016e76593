// Image trust with sigstore signatures (sigstoreSigned with public keys). Debian's skopeo has
// sigstore disabled and cosign is not packaged, so the signatures are made by
// fixtures/sigstore_sign.py, written from the published format (ECDSA P-256 over the simple-signing
// payload, the signature in the dev.cosignproject.cosign/signature annotation of a layer of the
// sha256-<digest>.sig manifest, or of an OCI 1.1 referrer). The referrers API comes from
// fixtures/referrers_proxy.py in front of registry:2.
#include <gtest/gtest.h>

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

struct SigstoreWorld {
    harness::RegistryServer registry;
    std::unique_ptr<harness::ReferrersProxy> proxy;
    harness::TempDir dir{"boxtool-trust-sigstore"};
    harness::SigstoreKey trusted, other;
    harness::ImageInfo single, multi;

    SigstoreWorld() {
        registry.start();
        proxy = std::make_unique<harness::ReferrersProxy>(registry.url());
        proxy->start();
        trusted = harness::make_sigstore_key(dir / "keys", "trusted");
        other = harness::make_sigstore_key(dir / "keys", "other");
        single = harness::make_image({.out = dir / "layout", .tag = "v1", .layers = 1, .layer_size = 2048});
        multi = harness::make_image({.out = dir / "layout",
                                     .tag = "multi",
                                     .platforms = {"linux/amd64", "linux/arm64"},
                                     .layers = 1,
                                     .layer_size = 2048});
    }
    std::string reg() const { return registry.host(); }
    std::string ref(const std::string& repo, const std::string& host = "") const {
        return (host.empty() ? reg() : host) + "/" + repo + ":v1";
    }
    void push(const std::string& repo, const std::string& tag = "v1") {
        harness::push_image(dir / "layout", tag, reg(), repo + ":v1");
    }
    std::string sign(const harness::SigstoreKey& key, const std::string& repo, const std::string& identity,
                     harness::SigstoreSignOptions options = {}, const std::string& digest = "") {
        return harness::sigstore_sign(key, registry.url(), repo, digest.empty() ? single.digest : digest,
                                      identity, options);
    }
    std::filesystem::path policy(const std::string& name, const std::string& requirement,
                                 const std::string& scope = "") const {
        auto path = dir / (name + ".json");
        std::string scopes = scope.empty() ? "\"" + reg() + "\":[" + requirement + "],\"" + proxy->host() +
                                                 "\":[" + requirement + "]"
                                           : "\"" + scope + "\":[" + requirement + "]";
        write_file(path, R"({"default":[{"type":"reject"}],"transports":{"docker":{)" + scopes + "}}}");
        return path;
    }
    std::string sigstore_signed(const harness::SigstoreKey& key, const std::string& identity = "") const {
        return R"({"type":"sigstoreSigned","keyPath":")" + key.public_key.string() + "\"" +
               (identity.empty() ? "" : R"(,"signedIdentity":)" + identity) + "}";
    }
};

struct Case {
    std::string name;
    std::string reference;
    std::filesystem::path policy;
    bool accepted;
    std::string why;
    std::vector<std::string> extra{};
};

void check(const SigstoreWorld& w, const CliEnv& env, const Case& c, int n) {
    SCOPED_TRACE("case " + c.name + " (" + c.reference + ", " + c.policy.filename().string() + ")");
    auto out = env.path("out-" + std::to_string(n));
    std::vector<std::string> args = {"pull",
                                     c.reference,
                                     "--store",
                                     env.path("store-" + std::to_string(n)).string(),
                                     "--insecure-registry",
                                     w.reg(),
                                     "--insecure-registry",
                                     w.proxy->host(),
                                     "--signature-policy",
                                     c.policy.string(),
                                     "--output",
                                     "oci:" + out.string() + ":v1",
                                     "--progress",
                                     "none"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    auto r = env.boxtool(args);
    if (c.accepted) {
        EXPECT_EQ(r.exit_code, kOk) << r.describe();
        EXPECT_TRUE(std::filesystem::exists(out / "index.json"));
        return;
    }
    EXPECT_EQ(r.exit_code, kPolicy) << r.describe();
    EXPECT_FALSE(std::filesystem::exists(out)) << "a refused image was written";
    EXPECT_NE(r.err.find(c.reference), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("docker scope"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.why), std::string::npos) << r.err;
}

TEST(TrustSigstore, VerdictsForSignaturesMadeByAnIndependentSigner) {
    SigstoreWorld w;
    const std::string reg = w.reg();
    for (const char* repo : {"sig/signed", "sig/unsigned", "sig/other", "sig/cosign", "sig/tampered-payload",
                             "sig/tampered-signature", "sig/two", "sig/referrer", "sig/renamed"})
        w.push(repo);
    w.sign(w.trusted, "sig/signed", w.ref("sig/signed"));
    w.sign(w.other, "sig/other", w.ref("sig/other"));
    w.sign(w.trusted, "sig/cosign", reg + "/sig/cosign", {.optional_json = R"({"creator":"cosign-like"})"});
    w.sign(w.trusted, "sig/tampered-payload", w.ref("sig/tampered-payload"), {.tamper = "payload"});
    w.sign(w.trusted, "sig/tampered-signature", w.ref("sig/tampered-signature"), {.tamper = "signature"});
    w.sign(w.trusted, "sig/renamed", w.ref("sig/elsewhere"));
    w.sign(w.other, "sig/two", w.ref("sig/two"));  // two layers on one tag: the second one is good
    w.sign(w.trusted, "sig/two", w.ref("sig/two"));
    // A referrer, pushed through the proxy that indexes subjects; the image is pulled through it too.
    harness::sigstore_sign(w.trusted, "http://" + w.proxy->host(), "sig/referrer", w.single.digest,
                           w.ref("sig/referrer", w.proxy->host()), {.store = "referrer"});

    auto exact = w.policy("exact", w.sigstore_signed(w.trusted));
    auto repository = w.policy("repository", w.sigstore_signed(w.trusted, R"({"type":"matchRepository"})"));
    auto remap =
        w.policy("remap", w.sigstore_signed(w.trusted, R"({"type":"remapIdentity","prefix":")" + reg +
                                                           R"(/sig/renamed","signedPrefix":")" + reg +
                                                           R"(/sig/elsewhere"})"));
    auto key_data = w.policy("key-data", R"({"type":"sigstoreSigned","keyData":")" +
                                             harness::base64(read_file(w.trusted.public_key)) + R"("})");
    auto wildcard = w.policy("wildcard", w.sigstore_signed(w.trusted), "*.0.0.1");

    const std::vector<Case> cases = {
        {"trusted key", w.ref("sig/signed"), exact, true, ""},
        {"unsigned", w.ref("sig/unsigned"), exact, false, "no signature"},
        {"another key", w.ref("sig/other"), exact, false, "bad signature"},
        {"cosign's name without a tag", w.ref("sig/cosign"), exact, false, "identity mismatch"},
        {"cosign's name under matchRepository", w.ref("sig/cosign"), repository, true, ""},
        {"tampered payload", w.ref("sig/tampered-payload"), exact, false, "bad signature"},
        {"tampered signature", w.ref("sig/tampered-signature"), exact, false, "bad signature"},
        {"another identity", w.ref("sig/renamed"), exact, false, "identity mismatch"},
        {"another identity under remapIdentity", w.ref("sig/renamed"), remap, true, ""},
        {"one good signature among two", w.ref("sig/two"), exact, true, ""},
        {"through the referrers API", w.ref("sig/referrer", w.proxy->host()), exact, true, ""},
        {"without the referrers API", w.ref("sig/referrer"), exact, false, "no signature"},
        {"keyData", w.ref("sig/signed"), key_data, true, ""},
        {"wildcard scope", w.ref("sig/signed"), wildcard, true, ""},
        {"wildcard scope, unsigned", w.ref("sig/unsigned"), wildcard, false, "no signature"},
    };
    CliEnv env;
    for (std::size_t i = 0; i < cases.size(); ++i) check(w, env, cases[i], static_cast<int>(i));
    EXPECT_GE(w.proxy->count_requests("GET", "/referrers/"), 1);
}

TEST(TrustSigstore, WithAnIndexThePlatformManifestIsWhatMustBeSignedAndInspectListsIt) {
    SigstoreWorld w;
    w.push("sig/multi", "multi");
    const auto& amd64 = w.multi.manifest_for("linux/amd64");
    w.sign(w.trusted, "sig/multi", w.ref("sig/multi"), {}, amd64.digest);
    w.sign(w.trusted, "sig/multi", w.ref("sig/multi"), {}, w.multi.digest);  // the index: not what counts
    auto exact = w.policy("exact", w.sigstore_signed(w.trusted));
    CliEnv env;
    check(w, env, {"amd64, signed", w.ref("sig/multi"), exact, true, "", {"--platform", "linux/amd64"}}, 0);
    check(w, env,
          {"arm64, only the index signed",
           w.ref("sig/multi"),
           exact,
           false,
           "no signature",
           {"--platform", "linux/arm64"}},
          1);

    auto listed = env.boxtool({"inspect", "--signatures", w.ref("sig/multi"), "--platform", "linux/amd64",
                               "--insecure-registry", w.reg(), "--signature-policy", exact.string()});
    ASSERT_EQ(listed.exit_code, kOk) << listed.describe();
    EXPECT_NE(listed.out.find("\"manifest\": \"" + amd64.digest + "\""), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("\"format\": \"sigstore\""), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("sha256-" + amd64.digest.substr(7) + ".sig layer 1"), std::string::npos)
        << listed.out;
    EXPECT_NE(listed.out.find("\"verified\": true"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("\"accepted\": true"), std::string::npos) << listed.out;
}

// A mirror chosen by a Lua policy: the Lua policy picks the candidates first, then the image the
// mirror serves must satisfy the signature policy under the upstream's name (the scope and the
// identity are the upstream's), while its signatures are read from the mirror, as containers/image
// does with registries.conf mirrors.
TEST(TrustSigstore, AMirrorsImageIsJudgedUnderTheUpstreamNameAfterTheLuaPolicyChoseIt) {
    SigstoreWorld w;
    const std::string upstream = "upstream.example.invalid";
    w.push("team/app");
    w.sign(w.trusted, "team/app", upstream + "/team/app:v1");
    CliEnv env;
    auto lua = env.path("mirror.lua");
    write_file(lua, "function select(ref, ctx)\n  return {{registry = \"" + w.reg() + "\", mirror_of = \"" +
                        upstream + "\", insecure = true, reason = \"the mirror\"}}\nend\n");
    auto upstream_policy = w.policy("upstream", w.sigstore_signed(w.trusted), upstream);
    auto mirror_policy = w.policy("mirror", w.sigstore_signed(w.trusted), w.reg());
    auto pull = [&](const std::filesystem::path& policy) {
        return env.pull(upstream + "/team/app:v1", {"--policy", lua.string(), "--signature-policy",
                                                    policy.string(), "--progress", "none"});
    };
    auto accepted = pull(upstream_policy);
    EXPECT_EQ(accepted.exit_code, kOk) << accepted.describe();
    // Judged as the upstream's image: a policy that only names the mirror falls to "default" (reject).
    auto refused = pull(mirror_policy);
    EXPECT_EQ(refused.exit_code, kPolicy) << refused.describe();
    EXPECT_NE(refused.err.find("refused " + upstream + "/team/app:v1 (default)"), std::string::npos)
        << refused.err;
}

}  // namespace
}  // namespace boxtool::conformance
