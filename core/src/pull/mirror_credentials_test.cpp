// A mirror never receives the upstream registry's credentials unless the policy names the
// upstream in credentials_from; usable_candidates and explain_candidates.
#include "pull/mirror_credentials.hpp"

#include <gtest/gtest.h>

namespace boxtool::pull {
namespace {

// Answers only for the registries it was given, and remembers what it was asked.
class RecordingProvider final : public CredentialProvider {
  public:
    explicit RecordingProvider(std::vector<std::string> registries) : registries_(std::move(registries)) {}
    Result<std::optional<Credential>> lookup(std::string_view registry, std::string_view) override {
        asked.emplace_back(registry);
        for (const auto& r : registries_)
            if (r == registry) return std::optional(Credential{"user-of-" + r, Secret("pw"), {}, {}, "test"});
        return std::optional<Credential>{};
    }
    std::vector<std::string> asked;

  private:
    std::vector<std::string> registries_;
};

Candidate mirror_of_hub(std::string credentials_from) {
    Candidate c;
    c.reference = parse_reference("mirror.example.com/library/alpine:3").value();
    c.mirror_of = "docker.io";
    c.credentials_from = std::move(credentials_from);
    return c;
}

TEST(MirrorCredentials, AnUntrustedMirrorUsesTheProviderAsIs) {
    auto inner = std::make_shared<RecordingProvider>(std::vector<std::string>{"docker.io"});
    auto provider = credentials_for(inner, mirror_of_hub(""));
    EXPECT_EQ(provider, inner);  // the session asks only for the mirror's own registry
    EXPECT_FALSE(provider->lookup("mirror.example.com", "library/alpine").value());
    EXPECT_EQ(inner->asked, std::vector<std::string>{"mirror.example.com"});
}

TEST(MirrorCredentials, ATrustedMirrorBorrowsTheUpstreamsWhenItHasNone) {
    auto inner = std::make_shared<RecordingProvider>(std::vector<std::string>{"docker.io"});
    auto provider = credentials_for(inner, mirror_of_hub("docker.io"));
    auto got = provider->lookup("mirror.example.com", "library/alpine").value();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->username, "user-of-docker.io");
    EXPECT_NE(got->source.find("trusted by the policy"), std::string::npos);
    // Another host (a blob CDN, a token realm) never borrows.
    EXPECT_FALSE(provider->lookup("cdn.example.net", "library/alpine").value());
}

TEST(MirrorCredentials, TheMirrorsOwnCredentialsComeFirst) {
    auto inner =
        std::make_shared<RecordingProvider>(std::vector<std::string>{"docker.io", "mirror.example.com"});
    auto got = credentials_for(inner, mirror_of_hub("docker.io"))
                   ->lookup("mirror.example.com", "library/alpine")
                   .value();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->username, "user-of-mirror.example.com");
}

TEST(MirrorCredentials, NoProviderMeansNoCredentials) {
    EXPECT_EQ(credentials_for(nullptr, mirror_of_hub("docker.io")), nullptr);
}

TEST(UsableCandidates, DigestOnlyCandidatesNeedADigest) {
    Candidate cache = mirror_of_hub("");
    cache.digest_only = true;
    Candidate hub;
    hub.reference = parse_reference("docker.io/library/alpine:3").value();
    auto by_tag = parse_reference("alpine:3").value();
    auto by_digest = parse_reference("alpine@sha256:" + std::string(64, 'a')).value();
    EXPECT_EQ(usable_candidates(by_tag, {cache, hub}).size(), 1u);
    EXPECT_EQ(usable_candidates(by_digest, {cache, hub}).size(), 2u);
}

TEST(ExplainCandidates, ListsEachInOrderWithNotesAndReason) {
    Candidate mirror = mirror_of_hub("docker.io");
    mirror.reason = "the internal mirror";
    mirror.insecure = true;
    Candidate hub;
    hub.reference = parse_reference("docker.io/library/alpine:3").value();
    hub.reason = "upstream";
    EXPECT_EQ(
        explain_candidates({mirror, hub}),
        "1. mirror.example.com/library/alpine:3 [mirror of docker.io, receives docker.io credentials, "
        "insecure]\n   reason: the internal mirror\n2. docker.io/library/alpine:3\n   reason: upstream\n");
}

}  // namespace
}  // namespace boxtool::pull
