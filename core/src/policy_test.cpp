// The default registry-selection policy and insecure-registry matching.

#include "boxtool/policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace boxtool {
namespace {

Reference parsed_ref(std::string_view text) {
    auto r = parse_reference(text);
    EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Reference{};
}

std::vector<std::string> strs(const std::vector<Candidate>& cands) {
    std::vector<std::string> out;
    for (const auto& c : cands) out.push_back(c.reference.str());
    return out;
}

using Strings = std::vector<std::string>;

// --- Qualified references

TEST(DefaultPolicy, QualifiedReferenceUsesOnlyItsRegistry) {
    DefaultPolicy policy;
    PolicyContext ctx;
    ctx.registries = {"quay.io", "registry.example.com:5000"};
    auto cands = policy.select(parsed_ref("ghcr.io/owner/app:1.0"), ctx).value();
    ASSERT_EQ(cands.size(), 1u);
    EXPECT_EQ(cands[0].reference.registry, "ghcr.io");
    EXPECT_EQ(cands[0].reference.repository, "owner/app");
    EXPECT_EQ(cands[0].reference.str(), "ghcr.io/owner/app:1.0");
    EXPECT_FALSE(cands[0].insecure);
    EXPECT_NE(cands[0].reason.find("names its registry"), std::string::npos) << cands[0].reason;
}

TEST(DefaultPolicy, QualifiedDockerHubReference) {
    DefaultPolicy policy;
    PolicyContext ctx;
    ctx.registries = {"quay.io"};
    for (const char* text :
         {"docker.io/alpine", "index.docker.io/library/alpine", "registry-1.docker.io/alpine"}) {
        SCOPED_TRACE(text);
        auto cands = policy.select(parsed_ref(text), ctx).value();
        EXPECT_EQ(strs(cands), Strings{"docker.io/library/alpine:latest"});
    }
}

TEST(DefaultPolicy, QualifiedReferenceKeepsDigest) {
    DefaultPolicy policy;
    const std::string digest = "sha256:" + std::string(64, 'a');
    auto cands = policy.select(parsed_ref("localhost:5000/app@" + digest), PolicyContext{}).value();
    ASSERT_EQ(cands.size(), 1u);
    EXPECT_EQ(cands[0].reference.digest, digest);
    EXPECT_EQ(cands[0].reference.str(), "localhost:5000/app@" + digest);
}

// --- Unqualified references

TEST(DefaultPolicy, UnqualifiedWithoutSearchRegistriesIsDockerHub) {
    DefaultPolicy policy;
    auto cands = policy.select(parsed_ref("alpine:3.19"), PolicyContext{}).value();
    ASSERT_EQ(cands.size(), 1u);
    EXPECT_EQ(cands[0].reference.registry, "docker.io");
    EXPECT_EQ(cands[0].reference.repository, "library/alpine");
    EXPECT_EQ(cands[0].reference.tag, "3.19");
    EXPECT_NE(cands[0].reason.find("last resort"), std::string::npos) << cands[0].reason;
}

TEST(DefaultPolicy, UnqualifiedSearchesInOrderThenDockerHub) {
    DefaultPolicy policy;
    PolicyContext ctx;
    ctx.registries = {"quay.io", "registry.example.com:5000", "ghcr.io"};
    auto cands = policy.select(parsed_ref("alpine"), ctx).value();
    EXPECT_EQ(strs(cands), (Strings{"quay.io/alpine:latest", "registry.example.com:5000/alpine:latest",
                                    "ghcr.io/alpine:latest", "docker.io/library/alpine:latest"}));
    ASSERT_EQ(cands.size(), 4u);
    EXPECT_NE(cands[0].reason.find("search registry 1 of 3"), std::string::npos) << cands[0].reason;
    EXPECT_NE(cands[2].reason.find("search registry 3 of 3"), std::string::npos) << cands[2].reason;
    for (const auto& c : cands) EXPECT_FALSE(c.insecure);
}

TEST(DefaultPolicy, LibraryIsAddedOnDockerHubOnly) {
    DefaultPolicy policy;
    PolicyContext ctx;
    ctx.registries = {"quay.io"};
    auto cands = policy.select(parsed_ref("nginx"), ctx).value();
    ASSERT_EQ(cands.size(), 2u);
    EXPECT_EQ(cands[0].reference.repository, "nginx");
    EXPECT_EQ(cands[1].reference.repository, "library/nginx");

    // Multi-component names are used as they are everywhere.
    auto multi = policy.select(parsed_ref("team/app:v1"), ctx).value();
    EXPECT_EQ(strs(multi), (Strings{"quay.io/team/app:v1", "docker.io/team/app:v1"}));
}

TEST(DefaultPolicy, DockerHubListedIsNotDuplicated) {
    DefaultPolicy policy;
    for (const char* hub : {"docker.io", "index.docker.io", "registry-1.docker.io", "Docker.IO"}) {
        SCOPED_TRACE(hub);
        PolicyContext ctx;
        ctx.registries = {hub, "quay.io"};
        auto cands = policy.select(parsed_ref("alpine"), ctx).value();
        // Docker Hub keeps its listed position; it is not appended again at the end.
        EXPECT_EQ(strs(cands), (Strings{"docker.io/library/alpine:latest", "quay.io/alpine:latest"}));
    }
}

TEST(DefaultPolicy, DockerHubListedTwiceUnderDifferentNames) {
    DefaultPolicy policy;
    PolicyContext ctx;
    ctx.registries = {"quay.io", "index.docker.io", "docker.io", "quay.io"};
    auto cands = policy.select(parsed_ref("alpine"), ctx).value();
    EXPECT_EQ(strs(cands), (Strings{"quay.io/alpine:latest", "docker.io/library/alpine:latest"}));
}

TEST(DefaultPolicy, InsecureFlagFollowsInsecureRegistries) {
    DefaultPolicy policy;
    PolicyContext ctx;
    ctx.registries = {"localhost:5000", "quay.io", "10.0.0.1:8080"};
    ctx.insecure_registries = {"localhost", "10.0.0.1:8080"};
    auto cands = policy.select(parsed_ref("app"), ctx).value();
    ASSERT_EQ(cands.size(), 4u);
    EXPECT_EQ(cands[0].reference.registry, "localhost:5000");
    EXPECT_TRUE(cands[0].insecure);
    EXPECT_EQ(cands[1].reference.registry, "quay.io");
    EXPECT_FALSE(cands[1].insecure);
    EXPECT_EQ(cands[2].reference.registry, "10.0.0.1:8080");
    EXPECT_TRUE(cands[2].insecure);
    EXPECT_EQ(cands[3].reference.registry, "docker.io");
    EXPECT_FALSE(cands[3].insecure);

    auto qualified = policy.select(parsed_ref("localhost:5000/app"), ctx).value();
    ASSERT_EQ(qualified.size(), 1u);
    EXPECT_TRUE(qualified[0].insecure);
}

// --- is_insecure_registry

TEST(IsInsecureRegistry, HostMatchesAnyPort) {
    const Strings insecure = {"myreg", "other.example.com"};
    EXPECT_TRUE(is_insecure_registry("myreg", insecure));
    EXPECT_TRUE(is_insecure_registry("myreg:5000", insecure));
    EXPECT_TRUE(is_insecure_registry("myreg:443", insecure));
    EXPECT_TRUE(is_insecure_registry("other.example.com:8443", insecure));
    EXPECT_TRUE(is_insecure_registry("OTHER.example.com", insecure));
}

TEST(IsInsecureRegistry, HostPortMatchesThatPortOnly) {
    const Strings insecure = {"myreg:5000"};
    EXPECT_TRUE(is_insecure_registry("myreg:5000", insecure));
    EXPECT_FALSE(is_insecure_registry("myreg:5001", insecure));
    EXPECT_FALSE(is_insecure_registry("myreg", insecure));
}

TEST(IsInsecureRegistry, NoPartialNameMatches) {
    const Strings insecure = {"myreg", "10.0.0.1"};
    EXPECT_FALSE(is_insecure_registry("myreg.example.com", insecure));
    EXPECT_FALSE(is_insecure_registry("notmyreg:5000", insecure));
    EXPECT_FALSE(is_insecure_registry("10.0.0.10:5000", insecure));
    EXPECT_TRUE(is_insecure_registry("10.0.0.1:5000", insecure));
    EXPECT_FALSE(is_insecure_registry("anything", {}));
}

TEST(IsInsecureRegistry, DockerHubAliases) {
    EXPECT_TRUE(is_insecure_registry("docker.io", {"index.docker.io"}));
    EXPECT_TRUE(is_insecure_registry("registry-1.docker.io", {"docker.io"}));
}

TEST(IsInsecureRegistry, Ipv6WithExplicitPort) {
    EXPECT_TRUE(is_insecure_registry("[::1]:5000", {"[::1]:5000"}));
    EXPECT_FALSE(is_insecure_registry("[::1]:5001", {"[::1]:5000"}));
    EXPECT_TRUE(is_insecure_registry("[::1]", {"[::1]"}));
    EXPECT_FALSE(is_insecure_registry("[::1]", {"[::2]"}));
}

// Regression: a bare host matches it on any port, bracketed IPv6 hosts included: "[::1]" matches
// the registry "[::1]:5000".
TEST(IsInsecureRegistryIpv6, Ipv6HostMatchesAnyPort) {
    EXPECT_TRUE(is_insecure_registry("[::1]:5000", {"[::1]"}))
        << "IPv6 host entry does not match the same host with a port";
    EXPECT_TRUE(is_insecure_registry("[2001:db8::1]:443", {"[2001:db8::1]"}))
        << "IPv6 host entry does not match the same host with a port";
}

}  // namespace
}  // namespace boxtool
