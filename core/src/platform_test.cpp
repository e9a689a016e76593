// Platform parsing, normalization, compatibility scores and choosing a manifest from an index.

#include "boxtool/platform.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "boxtool/manifest.hpp"
#include "grammar.hpp"

namespace boxtool {

// Tests compare digests with the text they were written as.
inline bool operator==(const Digest& d, const std::string& text) {
    return d.str() == text;
}
inline void PrintTo(const Digest& d, std::ostream* os) {
    *os << d.str();
}

namespace {

Platform P(std::string os, std::string arch, std::string variant = {}) {
    return Platform{std::move(os), std::move(arch), std::move(variant)};
}

Platform parsed(std::string_view text) {
    auto p = parse_platform(text);
    EXPECT_TRUE(p.ok()) << text << ": " << (p.ok() ? "" : p.error().message);
    return p.ok() ? *p : Platform{};
}

// --- parse_platform

struct PlatformCase {
    std::string text;
    Platform expected;
};

TEST(ParsePlatform, Normalizes) {
    const std::vector<PlatformCase> cases = {
        {"linux/amd64", P("linux", "amd64")},
        {"linux/x86_64", P("linux", "amd64")},
        {"linux/x86-64", P("linux", "amd64")},
        {"linux/amd64/v1", P("linux", "amd64")},
        {"linux/amd64/v3", P("linux", "amd64", "v3")},
        {"linux/arm64", P("linux", "arm64")},
        {"linux/aarch64", P("linux", "arm64")},
        {"linux/arm64/v8", P("linux", "arm64")},
        {"linux/aarch64/v8", P("linux", "arm64")},
        {"linux/arm", P("linux", "arm", "v7")},
        {"linux/arm/v7", P("linux", "arm", "v7")},
        {"linux/arm/7", P("linux", "arm", "v7")},
        {"linux/arm/v6", P("linux", "arm", "v6")},
        {"linux/arm/v5", P("linux", "arm", "v5")},
        {"linux/armhf", P("linux", "arm", "v7")},
        {"linux/armel", P("linux", "arm", "v6")},
        {"linux/armv7l", P("linux", "arm", "v7")},
        {"linux/armv6l", P("linux", "arm", "v6")},
        {"linux/i386", P("linux", "386")},
        {"linux/i686", P("linux", "386")},
        {"LINUX/AMD64", P("linux", "amd64")},
        {"Linux/ARM/V6", P("linux", "arm", "v6")},
        {"macos/arm64", P("darwin", "arm64")},
        {"windows/amd64", P("windows", "amd64")},
        {"linux/s390x", P("linux", "s390x")},
        {"linux/ppc64le", P("linux", "ppc64le")},
        {"linux/riscv64", P("linux", "riscv64")},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        auto p = parse_platform(c.text);
        ASSERT_TRUE(p.ok()) << p.error().message;
        EXPECT_EQ(*p, c.expected) << p->str();
    }
}

TEST(ParsePlatform, Arm64V8EqualsArm64) {
    EXPECT_EQ(parsed("linux/arm64/v8"), parsed("linux/arm64"));
    EXPECT_EQ(parsed("linux/arm64/v8").str(), "linux/arm64");
    EXPECT_EQ(parsed("linux/arm").str(), "linux/arm/v7");
    EXPECT_EQ(parsed("linux/armhf"), parsed("linux/arm/v7"));
}

TEST(ParsePlatform, RejectsMalformed) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "expected two or three parts"},
        {"linux", "expected two or three parts"},
        {"linux/arm/v7/extra", "expected two or three parts"},
        {"linux/", "empty part"},
        {"/amd64", "empty part"},
        {"linux//v7", "empty part"},
        {"linux/arm/", "empty part"},
        {"linux/amd 64", "invalid character"},
        {"linux/amd64\n", "invalid character"},
        {"linux/amd64/v1;rm", "invalid character"},
        {"lin:ux/amd64", "invalid character"},
    };
    for (const auto& [text, why] : cases) {
        SCOPED_TRACE(text);
        auto p = parse_platform(text);
        ASSERT_FALSE(p.ok()) << p->str();
        EXPECT_EQ(p.error().kind, ErrorKind::InvalidArgument);
        EXPECT_NE(p.error().message.find(why), std::string::npos) << p.error().message;
        EXPECT_NE(p.error().message.find("invalid platform"), std::string::npos);
        EXPECT_FALSE(p.error().hint.empty());
    }
}

TEST(NormalizePlatform, AsReadFromAnIndex) {
    EXPECT_EQ(normalize_platform(P("linux", "arm64", "v8")), P("linux", "arm64"));
    EXPECT_EQ(normalize_platform(P("linux", "arm", "")), P("linux", "arm", "v7"));
    EXPECT_EQ(normalize_platform(P("Linux", "X86_64", "")), P("linux", "amd64"));
    EXPECT_EQ(normalize_platform(P("linux", "arm", "6")), P("linux", "arm", "v6"));
}

TEST(HostPlatform, IsNormalized) {
    Platform h = host_platform();
    EXPECT_EQ(h.os, "linux");
    EXPECT_FALSE(h.architecture.empty());
    EXPECT_EQ(normalize_platform(h), h);
    EXPECT_NE(h.architecture, "x86_64");
    EXPECT_NE(h.architecture, "aarch64");
}

// --- platform_match_score

TEST(PlatformMatchScore, ExactIsBest) {
    EXPECT_GT(platform_match_score(P("linux", "amd64"), P("linux", "amd64")), 0);
    EXPECT_EQ(platform_match_score(P("linux", "amd64"), P("linux", "amd64")),
              platform_match_score(P("linux", "arm", "v7"), P("linux", "arm", "v7")));
}

TEST(PlatformMatchScore, DifferentArchitectureOrOsIsZero) {
    EXPECT_EQ(platform_match_score(P("linux", "amd64"), P("linux", "arm64")), 0);
    EXPECT_EQ(platform_match_score(P("linux", "arm64"), P("linux", "amd64")), 0);
    EXPECT_EQ(platform_match_score(P("linux", "arm64"), P("linux", "arm", "v7")), 0);
    EXPECT_EQ(platform_match_score(P("linux", "amd64"), P("windows", "amd64")), 0);
    EXPECT_EQ(platform_match_score(P("linux", "amd64"), P("unknown", "unknown")), 0);
}

TEST(PlatformMatchScore, AliasesAndDefaultVariantsMatchExactly) {
    const int exact = platform_match_score(P("linux", "arm64"), P("linux", "arm64"));
    EXPECT_EQ(platform_match_score(P("linux", "arm64"), P("linux", "arm64", "v8")), exact);
    EXPECT_EQ(platform_match_score(P("linux", "arm64", "v8"), P("linux", "arm64")), exact);
    EXPECT_EQ(platform_match_score(P("linux", "aarch64"), P("linux", "arm64", "v8")), exact);
    EXPECT_EQ(platform_match_score(P("linux", "x86_64"), P("linux", "amd64")), exact);
    EXPECT_EQ(platform_match_score(P("linux", "arm"), P("linux", "arm", "v7")), exact);
}

TEST(PlatformMatchScore, ArmV7AcceptsOlderVariantsWithLowerScore) {
    const Platform v7 = P("linux", "arm", "v7");
    const int exact = platform_match_score(v7, P("linux", "arm", "v7"));
    const int v6 = platform_match_score(v7, P("linux", "arm", "v6"));
    const int v5 = platform_match_score(v7, P("linux", "arm", "v5"));
    EXPECT_GT(v6, 0);
    EXPECT_GT(v5, 0);
    EXPECT_GT(exact, v6);
    EXPECT_GT(v6, v5);
    EXPECT_EQ(platform_match_score(v7, P("linux", "arm", "v8")), 0);
    // And v6 hardware cannot run v7 images.
    EXPECT_EQ(platform_match_score(P("linux", "arm", "v6"), P("linux", "arm", "v7")), 0);
    EXPECT_GT(platform_match_score(P("linux", "arm", "v6"), P("linux", "arm", "v5")), 0);
}

TEST(PlatformMatchScore, Amd64LevelsAreBackwardCompatible) {
    const Platform v3 = P("linux", "amd64", "v3");
    EXPECT_GT(platform_match_score(v3, P("linux", "amd64", "v2")), 0);
    EXPECT_GT(platform_match_score(v3, P("linux", "amd64")), 0);
    EXPECT_GT(platform_match_score(v3, P("linux", "amd64", "v3")),
              platform_match_score(v3, P("linux", "amd64", "v2")));
    EXPECT_EQ(platform_match_score(P("linux", "amd64"), P("linux", "amd64", "v2")), 0);
}

// --- select_platform

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');
const std::string kDigestC = "sha256:" + std::string(64, 'c');
const std::string kDigestD = "sha256:" + std::string(64, 'd');
const std::string kDigestE = "sha256:" + std::string(64, 'e');

Descriptor entry(const std::string& digest, Platform p, std::string_view media = media_type::kOciManifest) {
    Descriptor d;
    d.media_type = std::string(media);
    d.digest = parse_digest(digest).value();
    d.size = 1234;
    d.platform = std::move(p);
    return d;
}

Index multi_arch() {
    Index idx;
    idx.media_type = std::string(media_type::kOciIndex);
    idx.manifests = {
        entry(kDigestA, P("linux", "amd64")),
        entry(kDigestB, P("linux", "arm64", "v8")),
        entry(kDigestC, P("linux", "arm", "v6")),
        entry(kDigestD, P("unknown", "unknown")),  // buildkit attestation
        entry(kDigestE, P("linux", "s390x")),
    };
    return idx;
}

TEST(SelectPlatform, ExactChoice) {
    auto d = select_platform(multi_arch(), P("linux", "amd64"));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->digest.str(), kDigestA);
    auto s = select_platform(multi_arch(), parsed("linux/s390x"));
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->digest.str(), kDigestE);
}

TEST(SelectPlatform, Arm64MatchesArm64V8) {
    auto d = select_platform(multi_arch(), parsed("linux/arm64"));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->digest.str(), kDigestB);
    auto d2 = select_platform(multi_arch(), parsed("linux/aarch64"));
    ASSERT_TRUE(d2.ok());
    EXPECT_EQ(d2->digest.str(), kDigestB);
}

TEST(SelectPlatform, ArmV7FallsBackToV6) {
    auto d = select_platform(multi_arch(), parsed("linux/arm/v7"));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->digest.str(), kDigestC);
}

TEST(SelectPlatform, PrefersExactVariantOverOlderOnes) {
    Index idx;
    idx.media_type = std::string(media_type::kOciIndex);
    idx.manifests = {
        entry(kDigestA, P("linux", "arm", "v5")),
        entry(kDigestB, P("linux", "arm", "v6")),
        entry(kDigestC, P("linux", "arm", "v7")),
        entry(kDigestD, P("linux", "arm", "v8")),
    };
    EXPECT_EQ(select_platform(idx, parsed("linux/arm/v7"))->digest, kDigestC);
    EXPECT_EQ(select_platform(idx, parsed("linux/arm/v6"))->digest, kDigestB);
    idx.manifests.erase(idx.manifests.begin() + 2);  // no v7: v6 beats v5
    EXPECT_EQ(select_platform(idx, parsed("linux/arm/v7"))->digest, kDigestB);
}

TEST(SelectPlatform, DockerManifestListEntries) {
    Index idx;
    idx.media_type = std::string(media_type::kDockerManifestList);
    idx.manifests = {entry(kDigestA, P("linux", "amd64"), media_type::kDockerManifest),
                     entry(kDigestB, P("linux", "arm64"), media_type::kDockerManifest)};
    EXPECT_EQ(select_platform(idx, P("linux", "arm64"))->digest, kDigestB);
}

TEST(SelectPlatform, SkipsEntriesThatAreNotImagesForAPlatform) {
    Index idx;
    idx.media_type = std::string(media_type::kOciIndex);
    Descriptor no_platform = entry(kDigestA, P("linux", "amd64"));
    no_platform.platform.reset();
    idx.manifests = {
        no_platform,
        entry(kDigestB, P("linux", "amd64"), media_type::kOciIndex),  // a nested index
        entry(kDigestC, P("unknown", "unknown")),
        entry(kDigestD, P("linux", "amd64")),
    };
    auto d = select_platform(idx, P("linux", "amd64"));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->digest.str(), kDigestD);
}

TEST(SelectPlatform, NoMatchListsAvailablePlatforms) {
    auto d = select_platform(multi_arch(), parsed("linux/ppc64le"));
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().kind, ErrorKind::NoMatchingPlatform);
    const std::string& m = d.error().message;
    EXPECT_NE(m.find("linux/ppc64le"), std::string::npos) << m;
    EXPECT_NE(m.find("linux/amd64"), std::string::npos) << m;
    EXPECT_NE(m.find("linux/arm64"), std::string::npos) << m;
    EXPECT_NE(m.find("linux/arm/v6"), std::string::npos) << m;
    EXPECT_NE(m.find("linux/s390x"), std::string::npos) << m;
    EXPECT_EQ(m.find("unknown"), std::string::npos) << "attestations are not platforms: " << m;
    EXPECT_EQ(m.find("arm64/v8"), std::string::npos) << "arm64/v8 is listed normalized: " << m;
    EXPECT_FALSE(d.error().hint.empty());
}

TEST(SelectPlatform, ArmV6DoesNotRunV7) {
    Index idx;
    idx.media_type = std::string(media_type::kOciIndex);
    idx.manifests = {entry(kDigestA, P("linux", "arm", "v7")), entry(kDigestB, P("linux", "arm64"))};
    auto d = select_platform(idx, parsed("linux/arm/v6"));
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().kind, ErrorKind::NoMatchingPlatform);
    EXPECT_NE(d.error().message.find("linux/arm/v7, linux/arm64"), std::string::npos) << d.error().message;
}

TEST(SelectPlatform, EmptyOrAttestationOnlyIndexSaysNone) {
    Index idx;
    idx.media_type = std::string(media_type::kOciIndex);
    auto d = select_platform(idx, P("linux", "amd64"));
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().kind, ErrorKind::NoMatchingPlatform);
    EXPECT_NE(d.error().message.find("available: none"), std::string::npos) << d.error().message;

    idx.manifests = {entry(kDigestD, P("unknown", "unknown"))};
    auto d2 = select_platform(idx, P("linux", "amd64"));
    ASSERT_FALSE(d2.ok());
    EXPECT_NE(d2.error().message.find("available: none"), std::string::npos) << d2.error().message;
}

}  // namespace
}  // namespace boxtool
