// ContainersPolicy: scope choice and the verdicts of each requirement, against a fake signature
// source. Sigstore signatures here are made with OpenSSL in the test; the conformance suite signs
// with independent tools (skopeo for GPG, a Python signer for sigstore).
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <map>

#include "boxtool/trust.hpp"
#include "trust/policy_scope.hpp"
#include "util/base64.hpp"

namespace boxtool {
namespace {

class FakeSource final : public SignatureSource {
  public:
    std::map<ImageSignature::Format, std::vector<ImageSignature>> found;
    std::optional<Error> failure;
    int asked = 0;
    Result<std::vector<ImageSignature>> signatures(ImageSignature::Format format) override {
        ++asked;
        if (failure) return *failure;
        return found[format];
    }
};

std::shared_ptr<ContainersPolicy> policy(const std::string& text, ContainersPolicyOptions options = {}) {
    auto p = ContainersPolicy::from_json(text, "test-policy.json", std::move(options));
    if (!p) throw std::runtime_error(p.error().describe());
    return *p;
}

const std::string kManifest = R"({"schemaVersion":2,"config":{}})";

TrustSubject subject(const std::string& reference) {
    TrustSubject s;
    s.identity = parse_reference(reference).value();
    s.source = s.identity;
    s.manifest = kManifest;
    s.manifest_digest = digest_of(kManifest);
    return s;
}

// An ECDSA P-256 key pair, and cosign-style signatures made with it.
class EcKey {
  public:
    EcKey() {
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
        EVP_PKEY_keygen_init(ctx);
        EVP_PKEY_CTX_set_group_name(ctx, "P-256");
        EVP_PKEY_generate(ctx, &key_);
        EVP_PKEY_CTX_free(ctx);
    }
    ~EcKey() { EVP_PKEY_free(key_); }
    std::string public_pem() const {
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, key_);
        char* data = nullptr;
        long n = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<std::size_t>(n));
        BIO_free(bio);
        return out;
    }
    std::string sign(const std::string& payload) const {
        EVP_MD_CTX* md = EVP_MD_CTX_new();
        EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_);
        std::size_t len = 0;
        EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(payload.data()),
                       payload.size());
        std::string sig(len, '\0');
        EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
        sig.resize(len);
        EVP_MD_CTX_free(md);
        return sig;
    }

  private:
    EVP_PKEY* key_ = nullptr;
};

std::string cosign_payload(const std::string& identity, const std::string& digest) {
    return R"({"critical":{"identity":{"docker-reference":")" + identity +
           R"("},"image":{"docker-manifest-digest":")" + digest +
           R"("},"type":"cosign container image signature"},"optional":null})";
}

ImageSignature cosign_signature(const EcKey& key, const std::string& identity,
                                const std::string& digest = digest_of(kManifest).str()) {
    ImageSignature s;
    s.format = ImageSignature::Format::Sigstore;
    s.origin = "test layer";
    s.media_type = "application/vnd.dev.cosign.simplesigning.v1+json";
    s.blob = cosign_payload(identity, digest);
    s.annotations["dev.cosignproject.cosign/signature"] = util::base64_encode(key.sign(s.blob));
    return s;
}

std::string sigstore_policy(const EcKey& key, const std::string& identity = "") {
    return R"({"default":[{"type":"reject"}],"transports":{"docker":{"q.io/team":[{"type":"sigstoreSigned","keyData":")" +
           util::base64_encode(key.public_pem()) + "\"" + identity + "}]}}}";
}

TEST(ContainersPolicyScopes, MostSpecificFirstThenTransportDefaultThenDefault) {
    auto p = policy(R"({"default":[{"type":"reject"}],"transports":{"docker":{
        "q.io/team/app:v1":[{"type":"insecureAcceptAnything"}],
        "q.io/team/app":[{"type":"insecureAcceptAnything"}],
        "q.io/team":[{"type":"insecureAcceptAnything"}],
        "q.io":[{"type":"insecureAcceptAnything"}],
        "*.example.com":[{"type":"insecureAcceptAnything"}],
        "*.com":[{"type":"insecureAcceptAnything"}]}}})");
    auto scope = [&](const std::string& r) { return p->scope_for(parse_reference(r).value()); };
    EXPECT_EQ(scope("q.io/team/app:v1"), "docker scope \"q.io/team/app:v1\"");
    EXPECT_EQ(scope("q.io/team/app:v2"), "docker scope \"q.io/team/app\"");
    EXPECT_EQ(scope("q.io/team/other:v2"), "docker scope \"q.io/team\"");
    EXPECT_EQ(scope("q.io/x/y"), "docker scope \"q.io\"");
    EXPECT_EQ(scope("reg.example.com:5000/a"), "docker scope \"*.example.com\"");
    EXPECT_EQ(scope("deep.reg.example.com/a"), "docker scope \"*.example.com\"");
    EXPECT_EQ(scope("other.com/a"), "docker scope \"*.com\"");
    EXPECT_EQ(scope("localhost:5000/a"), "default");
    auto with_transport_default = policy(
        R"({"default":[{"type":"reject"}],"transports":{"docker":{"":[{"type":"insecureAcceptAnything"}]}}})");
    EXPECT_EQ(with_transport_default->scope_for(parse_reference("a.io/b").value()),
              "docker default scope \"\"");
}

TEST(ContainersPolicyScopes, NamespacesAreContainersImages) {
    auto n = trust::scope_namespaces(*trust::parse_docker_name("127.0.0.1:5000/a/b:v1"));
    std::vector<std::string> want = {
        "127.0.0.1:5000/a/b", "127.0.0.1:5000/a", "127.0.0.1:5000", "*.0.0.1", "*.0.1", "*.1"};
    EXPECT_EQ(n, want);
}

TEST(ContainersPolicy, InsecureAcceptAnythingAndRejectReadNoSignatures) {
    FakeSource source;
    auto accept =
        policy(R"({"default":[{"type":"insecureAcceptAnything"}]})")->evaluate(subject("q.io/a:1"), source);
    ASSERT_TRUE(accept);
    EXPECT_TRUE(accept->accepted);
    auto reject = policy(R"({"default":[{"type":"reject"}]})")->evaluate(subject("q.io/a:1"), source);
    ASSERT_TRUE(reject);
    EXPECT_FALSE(reject->accepted);
    EXPECT_EQ(reject->problem, TrustProblem::Rejected);
    EXPECT_EQ(reject->scope, "default");
    EXPECT_EQ(source.asked, 0);
}

TEST(ContainersPolicy, SigstoreSignedVerdicts) {
    EcKey trusted, other;
    auto p = policy(sigstore_policy(trusted));
    auto verdict = [&](std::vector<ImageSignature> sigs, const std::string& image = "q.io/team/app:v1") {
        FakeSource source;
        source.found[ImageSignature::Format::Sigstore] = std::move(sigs);
        return p->evaluate(subject(image), source).value();
    };
    EXPECT_TRUE(verdict({cosign_signature(trusted, "q.io/team/app:v1")}).accepted);
    EXPECT_EQ(verdict({}).problem, TrustProblem::NoSignature);
    EXPECT_EQ(verdict({cosign_signature(other, "q.io/team/app:v1")}).problem, TrustProblem::BadSignature);
    EXPECT_EQ(verdict({cosign_signature(trusted, "q.io/team/app:v2")}).problem,
              TrustProblem::IdentityMismatch);
    EXPECT_EQ(
        verdict({cosign_signature(trusted, "q.io/team/app:v1", "sha256:" + std::string(64, '0'))}).problem,
        TrustProblem::DigestMismatch);
    auto tampered = cosign_signature(trusted, "q.io/team/app:v1");
    tampered.blob[10] ^= 1;
    EXPECT_EQ(verdict({tampered}).problem, TrustProblem::BadSignature);
    auto no_annotation = cosign_signature(trusted, "q.io/team/app:v1");
    no_annotation.annotations.clear();
    EXPECT_EQ(verdict({no_annotation}).problem, TrustProblem::InvalidSignature);
    // One good signature among bad ones is enough.
    auto mixed =
        verdict({cosign_signature(other, "q.io/team/app:v1"), cosign_signature(trusted, "q.io/team/app:v1")});
    EXPECT_TRUE(mixed.accepted);
    // The most telling reason is reported when all fail.
    auto both =
        verdict({cosign_signature(other, "q.io/team/app:v1"), cosign_signature(trusted, "q.io/team/app:v9")});
    EXPECT_EQ(both.problem, TrustProblem::IdentityMismatch);
    EXPECT_NE(both.reason.find("none of the 2 signatures"), std::string::npos) << both.reason;
    // Attachments that are not signatures do not count.
    auto attestation = cosign_signature(trusted, "q.io/team/app:v1");
    attestation.media_type = "application/vnd.dsse.envelope.v1+json";
    EXPECT_EQ(verdict({attestation}).problem, TrustProblem::NoSignature);
}

TEST(ContainersPolicy, SigstoreIdentityRules) {
    EcKey key;
    auto repo = policy(sigstore_policy(key, R"(,"signedIdentity":{"type":"matchRepository"})"));
    FakeSource source;
    source.found[ImageSignature::Format::Sigstore] = {
        cosign_signature(key, "q.io/team/app")};  // as cosign writes
    EXPECT_TRUE(repo->evaluate(subject("q.io/team/app:v1"), source)->accepted);
    auto exact = policy(sigstore_policy(key));
    EXPECT_EQ(exact->evaluate(subject("q.io/team/app:v1"), source)->problem, TrustProblem::IdentityMismatch);
    auto remap = policy(sigstore_policy(
        key,
        R"(,"signedIdentity":{"type":"remapIdentity","prefix":"q.io/team","signedPrefix":"upstream.io/team"})"));
    FakeSource upstream;
    upstream.found[ImageSignature::Format::Sigstore] = {cosign_signature(key, "upstream.io/team/app:v1")};
    EXPECT_TRUE(remap->evaluate(subject("q.io/team/app:v1"), upstream)->accepted);
}

TEST(ContainersPolicy, KeysAreReadThroughTheKeyReaderOnlyWhenASignatureExists) {
    EcKey key;
    int reads = 0;
    ContainersPolicyOptions options;
    options.read_key = [&](const std::string& path) -> Result<std::string> {
        ++reads;
        if (path == "kbs:///default/key/test") return key.public_pem();
        return Error{ErrorKind::Config, "no such key " + path};
    };
    auto p = policy(R"({"default":[{"type":"sigstoreSigned","keyPath":"kbs:///default/key/test",
                        "signedIdentity":{"type":"matchRepository"}}]})",
                    options);
    FakeSource none;
    EXPECT_EQ(p->evaluate(subject("q.io/a:1"), none)->problem, TrustProblem::NoSignature);
    EXPECT_EQ(reads, 0);
    FakeSource one;
    one.found[ImageSignature::Format::Sigstore] = {cosign_signature(key, "q.io/a:1")};
    EXPECT_TRUE(p->evaluate(subject("q.io/a:1"), one)->accepted);
    EXPECT_EQ(reads, 1);
    auto missing = policy(R"({"default":[{"type":"sigstoreSigned","keyPath":"/nonexistent"}]})", options);
    auto v = missing->evaluate(subject("q.io/a:1"), one);
    EXPECT_EQ(v->problem, TrustProblem::KeyUnavailable);
    EXPECT_NE(v->reason.find("no such key /nonexistent"), std::string::npos) << v->reason;
}

TEST(ContainersPolicy, RequirementsAreAllRequiredAndASourceFailureIsAnError) {
    EcKey key;
    auto p =
        policy(R"({"default":[{"type":"insecureAcceptAnything"},{"type":"sigstoreSigned","keyData":")" +
               util::base64_encode(key.public_pem()) + R"(","signedIdentity":{"type":"matchRepository"}}]})");
    FakeSource failing;
    failing.failure = Error{ErrorKind::Network, "lookaside down"};
    auto r = p->evaluate(subject("q.io/a:1"), failing);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Network);
}

TEST(ContainersPolicy, FilesAreReadWithLimits) {
    auto missing = ContainersPolicy::from_file("/nonexistent/policy.json");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::Config);
    auto dir = ContainersPolicy::from_file("/tmp");
    ASSERT_FALSE(dir);
    EXPECT_NE(dir.error().message.find("not a regular file"), std::string::npos);
    auto bad = ContainersPolicy::from_json("{", "inline");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("invalid signature policy inline"), std::string::npos);
}

}  // namespace
}  // namespace boxtool
