// Table-driven tests for image reference parsing and normalization.
//
// The expected results follow the distribution reference grammar
// (github.com/distribution/reference, regexp.go) and docker's normalization (normalize.go):
//   reference      := name [ ":" tag ] [ "@" digest ]
//   name           := [domain '/'] remote-name
//   domain         := host [':' port-number]
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag            := [\w][\w.-]{0,127}
// A first component is a registry host when it contains '.' or ':', is "localhost", or has an
// upper-case letter; Docker Hub's aliases normalize to "docker.io" and single-component Docker Hub
// names get "library/".
//
// Cases where boxtool deviates from docker/distribution are NOT in the main table: they live in the
// ReferenceDockerCompat suite at the end of this file, assert the correct behaviour, and fail
// until the implementation is fixed.

#include "boxtool/reference.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <vector>
#include "grammar.hpp"

namespace boxtool {
namespace {

const std::string kHex256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kHex512 =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
const std::string kD256 = "sha256:" + kHex256;
const std::string kD512 = "sha512:" + kHex512;

struct RefCase {
    std::string input;
    bool valid = true;
    // Valid references: the normalized form.
    std::string registry;
    std::string repository;
    std::optional<std::string> tag;
    std::optional<std::string> digest;
    bool qualified = false;
    std::string str;
    std::string endpoint;  // registry_endpoint(registry) for qualified references
    // Invalid references: a distinctive part of the error message.
    std::string error;
};

// Shorthand constructors so the table reads as one line per case.
RefCase ok(std::string input, std::string registry, std::string repository, std::optional<std::string> tag,
           std::optional<std::string> digest, std::string str, std::string endpoint = {}) {
    RefCase c;
    c.input = std::move(input);
    c.valid = true;
    c.qualified = !registry.empty();
    c.registry = std::move(registry);
    c.repository = std::move(repository);
    c.tag = std::move(tag);
    c.digest = std::move(digest);
    c.str = std::move(str);
    c.endpoint = c.qualified && endpoint.empty() ? c.registry : std::move(endpoint);
    return c;
}

RefCase bad(std::string input, std::string error) {
    RefCase c;
    c.input = std::move(input);
    c.valid = false;
    c.error = std::move(error);
    return c;
}

void PrintTo(const RefCase& c, std::ostream* os) {
    *os << (c.valid ? "valid " : "invalid ") << testing::PrintToString(c.input);
}

const std::optional<std::string> kNone = std::nullopt;

std::vector<RefCase> reference_cases() {
    const std::string tag128(128, 'a');
    const std::string tag129(129, 'a');
    // "example.com/" is 12 characters: these names are exactly 255 and 256 characters long.
    const std::string name255 = "example.com/" + std::string(243, 'a');
    const std::string name256 = "example.com/" + std::string(244, 'a');

    return {
        // --- Unqualified references: no registry, no "library/" until bound with on().
        ok("alpine", "", "alpine", "latest", kNone, "alpine:latest"),
        ok("alpine:3.19", "", "alpine", "3.19", kNone, "alpine:3.19"),
        ok("library/alpine", "", "library/alpine", "latest", kNone, "library/alpine:latest"),
        ok("foo/bar", "", "foo/bar", "latest", kNone, "foo/bar:latest"),
        ok("foo/bar/baz:tag", "", "foo/bar/baz", "tag", kNone, "foo/bar/baz:tag"),
        ok("my-org/my-app", "", "my-org/my-app", "latest", kNone, "my-org/my-app:latest"),
        ok("a_b/c", "", "a_b/c", "latest", kNone, "a_b/c:latest"),
        ok("0/1", "", "0/1", "latest", kNone, "0/1:latest"),
        ok("a.b", "", "a.b", "latest", kNone, "a.b:latest"),  // no '/', so not a host
        ok("foo.com:5000", "", "foo.com", "5000", kNone, "foo.com:5000"),
        ok("localhost", "", "localhost", "latest", kNone, "localhost:latest"),
        ok("localhost:5000", "", "localhost", "5000", kNone, "localhost:5000"),  // a tag, not a port

        // --- Docker Hub and its aliases.
        ok("docker.io/alpine", "docker.io", "library/alpine", "latest", kNone,
           "docker.io/library/alpine:latest", "registry-1.docker.io"),
        ok("docker.io/library/alpine:3.19", "docker.io", "library/alpine", "3.19", kNone,
           "docker.io/library/alpine:3.19", "registry-1.docker.io"),
        ok("index.docker.io/alpine", "docker.io", "library/alpine", "latest", kNone,
           "docker.io/library/alpine:latest", "registry-1.docker.io"),
        ok("index.docker.io/foo/bar:1", "docker.io", "foo/bar", "1", kNone, "docker.io/foo/bar:1",
           "registry-1.docker.io"),
        ok("registry-1.docker.io/library/alpine:edge", "docker.io", "library/alpine", "edge", kNone,
           "docker.io/library/alpine:edge", "registry-1.docker.io"),
        ok("registry-1.docker.io/nginx", "docker.io", "library/nginx", "latest", kNone,
           "docker.io/library/nginx:latest", "registry-1.docker.io"),
        ok("docker.io/foo/bar", "docker.io", "foo/bar", "latest", kNone, "docker.io/foo/bar:latest",
           "registry-1.docker.io"),
        ok("docker.io/bitnami/redis/sub:7", "docker.io", "bitnami/redis/sub", "7", kNone,
           "docker.io/bitnami/redis/sub:7", "registry-1.docker.io"),

        // --- localhost and hosts with ports.
        ok("localhost/foo", "localhost", "foo", "latest", kNone, "localhost/foo:latest"),
        ok("localhost:5000/foo:dev", "localhost:5000", "foo", "dev", kNone, "localhost:5000/foo:dev"),
        ok("localhost:5000/foo/bar/baz", "localhost:5000", "foo/bar/baz", "latest", kNone,
           "localhost:5000/foo/bar/baz:latest"),
        ok("myregistry:5000/app", "myregistry:5000", "app", "latest", kNone, "myregistry:5000/app:latest"),
        ok("registry.example.com:443/team/app", "registry.example.com:443", "team/app", "latest", kNone,
           "registry.example.com:443/team/app:latest"),
        ok("192.168.1.10:5000/app:1", "192.168.1.10:5000", "app", "1", kNone, "192.168.1.10:5000/app:1"),
        ok("x:65535/y", "x:65535", "y", "latest", kNone, "x:65535/y:latest"),
        ok("x:1/y", "x:1", "y", "latest", kNone, "x:1/y:latest"),

        // --- IPv6 hosts.
        ok("[::1]:5000/app:tag", "[::1]:5000", "app", "tag", kNone, "[::1]:5000/app:tag"),
        ok("[::1]/app", "[::1]", "app", "latest", kNone, "[::1]/app:latest"),
        ok("[2001:db8::1]:443/ns/app", "[2001:db8::1]:443", "ns/app", "latest", kNone,
           "[2001:db8::1]:443/ns/app:latest"),

        // --- A first component with '.' is a host; multi-component paths.
        ok("quay.io/coreos/etcd:v3.5", "quay.io", "coreos/etcd", "v3.5", kNone, "quay.io/coreos/etcd:v3.5"),
        ok("ghcr.io/owner/repo/sub/image:1.0", "ghcr.io", "owner/repo/sub/image", "1.0", kNone,
           "ghcr.io/owner/repo/sub/image:1.0"),
        ok("a.b/c", "a.b", "c", "latest", kNone, "a.b/c:latest"),
        ok("my-registry.local/app", "my-registry.local", "app", "latest", kNone,
           "my-registry.local/app:latest"),
        ok("registry.gitlab.com/group/subgroup/project/image:v1", "registry.gitlab.com",
           "group/subgroup/project/image", "v1", kNone,
           "registry.gitlab.com/group/subgroup/project/image:v1"),
        ok("mcr.microsoft.com/dotnet/sdk:8.0", "mcr.microsoft.com", "dotnet/sdk", "8.0", kNone,
           "mcr.microsoft.com/dotnet/sdk:8.0"),
        ok("example.com/a/b/c/d/e", "example.com", "a/b/c/d/e", "latest", kNone,
           "example.com/a/b/c/d/e:latest"),
        ok("Registry.Example.COM/app", "Registry.Example.COM", "app", "latest", kNone,
           "Registry.Example.COM/app:latest",  // host kept as typed, so str() re-parses to the same host
           "registry.example.com"),            // but connections go to the folded host name

        // --- Separators inside path components.
        ok("a.b.c", "", "a.b.c", "latest", kNone, "a.b.c:latest"),
        ok("a__b", "", "a__b", "latest", kNone, "a__b:latest"),
        ok("a-b", "", "a-b", "latest", kNone, "a-b:latest"),
        ok("a---b", "", "a---b", "latest", kNone, "a---b:latest"),
        ok("foo/a_b.c-d__e---f", "", "foo/a_b.c-d__e---f", "latest", kNone, "foo/a_b.c-d__e---f:latest"),
        ok("example.com/x.y_z/a--b", "example.com", "x.y_z/a--b", "latest", kNone,
           "example.com/x.y_z/a--b:latest"),

        // --- Tags.
        ok("alpine:Latest_1.2-rc", "", "alpine", "Latest_1.2-rc", kNone, "alpine:Latest_1.2-rc"),
        ok("alpine:_under", "", "alpine", "_under", kNone, "alpine:_under"),
        ok("alpine:9", "", "alpine", "9", kNone, "alpine:9"),
        ok("alpine:a.-_", "", "alpine", "a.-_", kNone, "alpine:a.-_"),
        ok("alpine:" + tag128, "", "alpine", tag128, kNone, "alpine:" + tag128),

        // --- Digests, alone and with a tag (no "latest" is added when a digest is given).
        ok("alpine@" + kD256, "", "alpine", kNone, kD256, "alpine@" + kD256),
        ok("alpine:3.19@" + kD256, "", "alpine", "3.19", kD256, "alpine:3.19@" + kD256),
        ok("docker.io/library/alpine@" + kD512, "docker.io", "library/alpine", kNone, kD512,
           "docker.io/library/alpine@" + kD512, "registry-1.docker.io"),
        ok("docker.io/alpine:edge@" + kD256, "docker.io", "library/alpine", "edge", kD256,
           "docker.io/library/alpine:edge@" + kD256, "registry-1.docker.io"),
        ok("localhost:5000/foo@" + kD256, "localhost:5000", "foo", kNone, kD256,
           "localhost:5000/foo@" + kD256),
        ok("[::1]:5000/foo:1@" + kD512, "[::1]:5000", "foo", "1", kD512, "[::1]:5000/foo:1@" + kD512),

        // --- Length limits: the name (registry and path) is at most 255 characters.
        ok(name255, "example.com", name255.substr(12), "latest", kNone, name255 + ":latest"),

        // ===== Invalid references =====
        bad("", "empty reference"),
        bad(":latest", "missing repository name"),
        bad("@" + kD256, "missing repository name"),
        bad(":tag@" + kD256, "missing repository name"),
        bad("docker.io/", "missing repository name"),

        // Upper case in the repository.
        bad("Alpine", "must be lowercase"),
        bad("foo/Bar", "must be lowercase"),
        bad("docker.io/Library/alpine", "must be lowercase"),

        // Empty components.
        bad("a//b", "empty path component"),
        bad("foo/", "empty path component"),
        bad("a/b/", "empty path component"),
        bad("/foo", "empty path component"),
        bad("example.com//foo", "empty path component"),

        // Bad, leading and trailing separators.
        bad("a..b", "invalid separator \"..\""),
        bad("a-_b", "invalid separator \"-_\""),
        bad("a_-b", "invalid separator \"_-\""),
        bad("a___b", "invalid separator \"___\""),
        bad("a._b", "invalid separator"),
        bad("-a", "must start and end"),
        bad("a-", "must start and end"),
        bad("_a", "must start and end"),
        bad(".a", "must start and end"),
        bad("foo/a.", "must start and end"),
        bad("foo/bar:tag:tag2", "invalid separator \":\""),

        // Digests.
        bad("foo@sha256:abc", "expected 64 hex characters, got 3"),
        bad("foo@sha256:" + kHex256 + "0", "expected 64 hex characters, got 65"),
        bad("foo@sha512:" + kHex256, "expected 128 hex characters, got 64"),
        bad("foo@sha256:" + std::string(64, 'A'), "lower-case"),
        bad("foo@sha256:" + std::string(63, 'a') + "g", "lower-case"),
        bad("foo@md5:" + kHex256, "unsupported digest algorithm \"md5\""),
        bad("foo@SHA256:" + kHex256, "unsupported digest algorithm"),
        bad("foo@sha256:", "got 0"),
        bad("foo@sha256", "missing algorithm"),
        bad("foo@", "missing algorithm"),
        bad("foo@" + kHex256, "missing algorithm"),
        bad("foo@" + kD256 + "@" + kD256, "expected 64 hex characters"),

        // Tags.
        bad("foo:", "empty tag"),
        bad("foo:" + tag129, "tag longer than 128 characters"),
        bad("foo:-bad", "tag must start with"),
        bad("foo:.bad", "tag must start with"),
        bad("foo:ba+d", "invalid character '+' in tag"),
        bad("foo:a~b", "invalid character '~' in tag"),
        bad("foo:@" + kD256, "empty tag"),

        // Name length.
        bad(name256, "name longer than 255 characters"),
        bad(name256 + ":tag", "name longer than 255 characters"),

        // Whitespace and control characters.
        bad("foo bar", "whitespace or control"),
        bad(" alpine", "whitespace or control"),
        bad("alpine ", "whitespace or control"),
        bad("alpine\n", "whitespace or control"),
        bad("alp\tine", "whitespace or control"),
        bad(std::string("alp\x01ine"), "whitespace or control"),
        bad(std::string("alp\x7fine"), "whitespace or control"),
        bad(std::string("alp\0ine", 7), "whitespace or control"),

        // Registry hosts and ports.
        bad("localhost:0/foo", "port 0 out of range"),
        bad("localhost:70000/foo", "port 70000 out of range"),
        bad("localhost:65536/foo", "out of range"),
        bad("localhost:abc/foo", "invalid port \"abc\""),
        bad("localhost:/foo", "invalid port \"\""),
        bad("host:123456/foo", "invalid port \"123456\""),
        bad("foo:bar/baz", "invalid port \"bar\""),
        bad("[::1/foo", "unterminated IPv6"),
        bad("[::1]x/foo", "unexpected text after IPv6"),
        bad("[zz::1]:5000/foo", "invalid IPv6"),
        bad("[]:5000/foo", "invalid IPv6"),
        bad("[::1]:0/foo", "out of range"),
        bad("-bad.com/foo", "invalid registry host"),
        bad("bad-.com/foo", "invalid registry host"),
        bad("bad_host.com/foo", "invalid registry host"),
        bad("bad..com/foo", "empty label"),
        bad(".com/foo", "empty label"),
        bad(":5000/foo", "empty label"),
    };
}

class ReferenceTable : public testing::TestWithParam<RefCase> {};

TEST_P(ReferenceTable, ParsesAndNormalizes) {
    const RefCase& c = GetParam();
    auto r = parse_reference(c.input);
    if (!c.valid) {
        ASSERT_FALSE(r.ok()) << "accepted as " << r->str();
        EXPECT_EQ(r.error().kind, ErrorKind::InvalidReference);
        EXPECT_NE(r.error().message.find(c.error), std::string::npos)
            << "message: " << r.error().message << "\nwanted: " << c.error;
        EXPECT_NE(r.error().message.find("invalid image reference"), std::string::npos);
        EXPECT_FALSE(r.error().hint.empty());
        return;
    }
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->registry, c.registry);
    EXPECT_EQ(r->repository, c.repository);
    EXPECT_EQ(r->tag, c.tag);
    EXPECT_EQ(r->digest, c.digest);
    EXPECT_EQ(r->qualified, c.qualified);
    EXPECT_EQ(r->str(), c.str);
    EXPECT_EQ(r->version(), c.digest ? *c.digest : c.tag.value_or("latest"));
    EXPECT_EQ(r->name(), c.registry.empty() ? c.repository : c.registry + "/" + c.repository);
    if (c.qualified) {
        EXPECT_EQ(registry_endpoint(r->registry), c.endpoint);
    }

    // The printed form is itself a reference that means the same thing.
    auto again = parse_reference(r->str());
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->registry, r->registry);
    EXPECT_EQ(again->repository, r->repository);
    EXPECT_EQ(again->tag, r->tag);
    EXPECT_EQ(again->digest, r->digest);
    EXPECT_EQ(again->qualified, r->qualified);
}

std::string case_name(const testing::TestParamInfo<RefCase>& info) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%03zu_%s", info.index, info.param.valid ? "valid" : "invalid");
    return buf;
}

INSTANTIATE_TEST_SUITE_P(Table, ReferenceTable, testing::ValuesIn(reference_cases()), case_name);

TEST(ReferenceTableSize, HasAtLeastSeventyCases) {
    auto cases = reference_cases();
    std::size_t valid = 0;
    for (const auto& c : cases) valid += c.valid ? 1 : 0;
    EXPECT_GE(cases.size(), 70u);
    EXPECT_GE(valid, 30u);
    EXPECT_GE(cases.size() - valid, 30u);
}

// --- Binding unqualified references to a registry.

TEST(ReferenceOn, DockerHubAddsLibraryToSingleComponentNames) {
    auto r = parse_reference("alpine:3.19").value();
    ASSERT_TRUE(r.registry.empty());
    ASSERT_FALSE(r.qualified);
    EXPECT_EQ(r.str(), "alpine:3.19");

    Reference hub = r.on("docker.io");
    EXPECT_EQ(hub.registry, "docker.io");
    EXPECT_EQ(hub.repository, "library/alpine");
    EXPECT_EQ(hub.tag, "3.19");
    EXPECT_EQ(hub.str(), "docker.io/library/alpine:3.19");
    EXPECT_EQ(registry_endpoint(hub.registry), "registry-1.docker.io");

    // The original is not modified.
    EXPECT_EQ(r.repository, "alpine");
    EXPECT_TRUE(r.registry.empty());
}

TEST(ReferenceOn, DockerHubAliasesNormalize) {
    auto r = parse_reference("nginx").value();
    for (const char* alias : {"docker.io", "index.docker.io", "registry-1.docker.io", "Docker.IO"}) {
        SCOPED_TRACE(alias);
        Reference hub = r.on(alias);
        EXPECT_EQ(hub.registry, "docker.io");
        EXPECT_EQ(hub.repository, "library/nginx");
        EXPECT_EQ(hub.str(), "docker.io/library/nginx:latest");
    }
}

TEST(ReferenceOn, MultiComponentNamesAreKeptOnDockerHub) {
    auto r = parse_reference("foo/bar@" + kD256).value();
    Reference hub = r.on("docker.io");
    EXPECT_EQ(hub.repository, "foo/bar");
    EXPECT_EQ(hub.str(), "docker.io/foo/bar@" + kD256);
    EXPECT_EQ(hub.version(), kD256);
}

TEST(ReferenceOn, OtherRegistriesDoNotAddLibrary) {
    auto r = parse_reference("alpine").value();
    Reference quay = r.on("Quay.IO");
    EXPECT_EQ(quay.registry, "quay.io");
    EXPECT_EQ(quay.repository, "alpine");
    EXPECT_EQ(quay.str(), "quay.io/alpine:latest");
    Reference local = r.on("localhost:5000");
    EXPECT_EQ(local.str(), "localhost:5000/alpine:latest");
    EXPECT_EQ(registry_endpoint(local.registry), "localhost:5000");
}

// --- Registry helpers.

TEST(NormalizeRegistry, DockerHubAliasesAndCase) {
    EXPECT_EQ(normalize_registry("docker.io"), "docker.io");
    EXPECT_EQ(normalize_registry("index.docker.io"), "docker.io");
    EXPECT_EQ(normalize_registry("registry-1.docker.io"), "docker.io");
    EXPECT_EQ(normalize_registry("INDEX.Docker.io"), "docker.io");
    EXPECT_EQ(normalize_registry("Quay.io"), "quay.io");
    EXPECT_EQ(normalize_registry("localhost:5000"), "localhost:5000");
    // A port makes it a different endpoint, not Docker Hub.
    EXPECT_EQ(normalize_registry("docker.io:443"), "docker.io:443");
}

TEST(RegistryEndpoint, DockerHubConnectsToRegistry1) {
    EXPECT_EQ(registry_endpoint("docker.io"), "registry-1.docker.io");
    EXPECT_EQ(registry_endpoint("index.docker.io"), "registry-1.docker.io");
    EXPECT_EQ(registry_endpoint("registry-1.docker.io"), "registry-1.docker.io");
    EXPECT_EQ(registry_endpoint("quay.io"), "quay.io");
    EXPECT_EQ(registry_endpoint("localhost:5000"), "localhost:5000");
    EXPECT_EQ(registry_endpoint("[::1]:5000"), "[::1]:5000");
}

TEST(LooksLikeRegistry, DotColonLocalhostOrUpperCase) {
    EXPECT_TRUE(looks_like_registry("localhost"));
    EXPECT_TRUE(looks_like_registry("example.com"));
    EXPECT_TRUE(looks_like_registry("host:5000"));
    EXPECT_TRUE(looks_like_registry("[::1]"));
    EXPECT_TRUE(looks_like_registry("Foo"));
    EXPECT_FALSE(looks_like_registry("foo"));
    EXPECT_FALSE(looks_like_registry("my-org"));
    EXPECT_FALSE(looks_like_registry("a_b"));
    EXPECT_FALSE(looks_like_registry("localhostx"));
}

// ===== Details of docker's normalization, pinned =====

// Docker compatibility: docker's ParseNormalizedNamed refuses a reference that is exactly 64 lower-case
// hex characters ("invalid repository name (...), cannot specify 64-byte hexadecimal strings"), so
// that an image ID is never mistaken for a repository.
TEST(ReferenceDockerCompat, SixtyFourHexCharactersAreNotARepositoryName) {
    auto r = parse_reference(kHex256);
    EXPECT_FALSE(r.ok()) << "accepted image-ID-like name as " << r->str();
    if (!r.ok()) {
        EXPECT_EQ(r.error().kind, ErrorKind::InvalidReference);
    }
    // Docker's check is on the whole text: with a tag, or with any other length, it is a name.
    EXPECT_TRUE(parse_reference(kHex256 + ":latest").ok());
    EXPECT_TRUE(parse_reference(kHex256.substr(1)).ok());
}

// Docker compatibility: a first component with an upper-case letter is a registry host. Folding it
// to lower case would make the printed "foo/bar:latest" re-parse as the Docker Hub name foo/bar, so
// the host is kept as written ("Foo/bar" stays domain "Foo", path "bar"), as docker does.
TEST(ReferenceDockerCompat, UpperCaseHostRoundTripsThroughStr) {
    auto r = parse_reference("Foo/bar");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->qualified);
    auto again = parse_reference(r->str());
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_TRUE(again->qualified) << "" << r->str() << " re-parses as unqualified";
    EXPECT_EQ(again->registry, r->registry);
    EXPECT_EQ(again->repository, r->repository);
}

// Docker compatibility: docker checks the 255-character limit on the normalized name (ParseNormalizedNamed
// parses domain + "/" + remainder after adding "library/"), so "docker.io/<240 x a>" (250 characters as
// written) is "docker.io/library/<240 x a>" (258 characters) and refused with "repository name must not
// be more than 255 characters".
TEST(ReferenceDockerCompat, NameLimitAppliesAfterAddingLibrary) {
    const std::string text = "docker.io/" + std::string(240, 'a');
    ASSERT_EQ(text.size(), 250u);
    auto r = parse_reference(text);
    EXPECT_FALSE(r.ok()) << "accepted a " << r->name().size() << "-character name";
    if (!r.ok()) {
        EXPECT_EQ(r.error().kind, ErrorKind::InvalidReference);
        EXPECT_NE(r.error().message.find("longer than 255"), std::string::npos) << r.error().message;
    }
    // A name that stays within the limit after normalization is fine.
    EXPECT_TRUE(parse_reference("docker.io/" + std::string(237, 'a')).ok());
}

}  // namespace
}  // namespace boxtool
