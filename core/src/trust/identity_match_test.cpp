// signedIdentity rules against image names, with containers/image's semantics (its
// policy_reference_match tests are the model for these cases).
#include "trust/identity_match.hpp"

#include <gtest/gtest.h>

namespace boxtool::trust {
namespace {

IdentityRule rule(IdentityRule::Kind kind) {
    IdentityRule r;
    r.kind = kind;
    return r;
}

DockerName image(const std::string& text) {
    auto ref = parse_reference(text).value();
    return docker_name_of(ref.qualified ? ref : ref.on(kDockerHub));
}

using K = IdentityRule::Kind;

TEST(DockerName, KeepsWhetherATagWasWritten) {
    EXPECT_TRUE(parse_docker_name("busybox")->name_only());
    EXPECT_EQ(parse_docker_name("busybox")->name, "docker.io/library/busybox");
    EXPECT_EQ(parse_docker_name("index.docker.io/busybox:1")->str(), "docker.io/library/busybox:1");
    EXPECT_EQ(parse_docker_name("127.0.0.1:5000/a/b")->str(), "127.0.0.1:5000/a/b");
    EXPECT_FALSE(parse_docker_name("127.0.0.1:5000/a/b:v1")->name_only());
    EXPECT_FALSE(parse_docker_name("Upper/Case"));
    auto both = parse_docker_name("q.io/a:1@sha256:" + std::string(64, 'a'));
    EXPECT_EQ(both->str(), "q.io/a:1@sha256:" + std::string(64, 'a'));
}

TEST(IdentityMatch, MatchRepoDigestOrExact) {
    auto r = rule(K::MatchRepoDigestOrExact);
    EXPECT_TRUE(identity_matches(r, image("q.io/a/b:v1"), "q.io/a/b:v1"));
    EXPECT_FALSE(identity_matches(r, image("q.io/a/b:v1"), "q.io/a/b:v2"));
    EXPECT_FALSE(identity_matches(r, image("q.io/a/b:v1"), "q.io/a/b"));  // no tag in the signature
    EXPECT_FALSE(identity_matches(r, image("q.io/a/b:v1"), "q.io/a/c:v1"));
    // Pulled by digest: any tag or digest of the same repository.
    std::string d = "sha256:" + std::string(64, 'b');
    EXPECT_TRUE(identity_matches(r, image("q.io/a/b@" + d), "q.io/a/b:v1"));
    EXPECT_FALSE(identity_matches(r, image("q.io/a/b@" + d), "q.io/a/b"));
    EXPECT_FALSE(identity_matches(r, image("q.io/a/b@" + d), "q.io/x/b:v1"));
    // Normalized names compare equal.
    EXPECT_TRUE(identity_matches(r, image("docker.io/library/busybox:1"), "busybox:1"));
    EXPECT_FALSE(identity_matches(r, image("q.io/a/b:v1"), "not a reference"));
}

TEST(IdentityMatch, MatchExactAndMatchRepository) {
    auto exact = rule(K::MatchExact);
    std::string d = "sha256:" + std::string(64, 'c');
    EXPECT_TRUE(identity_matches(exact, image("q.io/a:v1"), "q.io/a:v1"));
    EXPECT_FALSE(identity_matches(exact, image("q.io/a@" + d), "q.io/a:v1"));
    EXPECT_TRUE(identity_matches(exact, image("q.io/a@" + d), "q.io/a@" + d));
    auto repo = rule(K::MatchRepository);
    EXPECT_TRUE(identity_matches(repo, image("q.io/a:v1"), "q.io/a:other"));
    EXPECT_TRUE(identity_matches(repo, image("q.io/a:v1"), "q.io/a"));
    EXPECT_FALSE(identity_matches(repo, image("q.io/a:v1"), "q.io/b:v1"));
}

TEST(IdentityMatch, ExactReferenceAndExactRepositoryIgnoreTheImageName) {
    auto r = rule(K::ExactReference);
    r.docker_reference = "q.io/signed:1";
    EXPECT_TRUE(identity_matches(r, image("mirror.local/anything:2"), "q.io/signed:1"));
    EXPECT_FALSE(identity_matches(r, image("q.io/signed:1"), "q.io/signed:2"));
    auto repo = rule(K::ExactRepository);
    repo.docker_repository = "q.io/signed";
    EXPECT_TRUE(identity_matches(repo, image("mirror.local/x:2"), "q.io/signed:9"));
    EXPECT_FALSE(identity_matches(repo, image("mirror.local/x:2"), "q.io/other:9"));
}

TEST(IdentityMatch, RemapIdentityRewritesThePrefixThenMatchesRepoDigestOrExact) {
    auto r = rule(K::RemapIdentity);
    r.prefix = "mirror.local:5000/team";
    r.signed_prefix = "quay.io/team";
    EXPECT_TRUE(identity_matches(r, image("mirror.local:5000/team/app:v1"), "quay.io/team/app:v1"));
    EXPECT_FALSE(identity_matches(r, image("mirror.local:5000/team/app:v1"), "quay.io/team/app:v2"));
    // Whole components only: "team" is not a prefix of "teamwork".
    EXPECT_FALSE(identity_matches(r, image("mirror.local:5000/teamwork/app:v1"), "quay.io/teamwork/app:v1"));
    // Names outside the prefix are matched as they are.
    EXPECT_TRUE(identity_matches(r, image("other.io/x:v1"), "other.io/x:v1"));
    EXPECT_FALSE(identity_matches(r, image("other.io/x:v1"), "quay.io/team/x:v1"));
    // The whole name as prefix.
    r.prefix = "mirror.local:5000/team/app";
    r.signed_prefix = "quay.io/team/app";
    EXPECT_TRUE(identity_matches(r, image("mirror.local:5000/team/app:v1"), "quay.io/team/app:v1"));
}

TEST(IdentityMatch, RemapPrefixesAreValidated) {
    EXPECT_TRUE(valid_remap_prefix("quay.io"));
    EXPECT_TRUE(valid_remap_prefix("127.0.0.1:5000"));
    EXPECT_TRUE(valid_remap_prefix("quay.io/team/app"));
    EXPECT_FALSE(valid_remap_prefix("quay.io/Team"));
    EXPECT_FALSE(valid_remap_prefix("quay.io/"));
    EXPECT_FALSE(valid_remap_prefix("a b"));
    EXPECT_FALSE(valid_remap_prefix(""));
}

}  // namespace
}  // namespace boxtool::trust
