// Against a registry that misbehaves in one way at a time (fixtures/rogue_registry.py): every kind
// of bad input is refused with its exit code and a message that says what was wrong, and leaves
// nothing behind: no output, no temp dir beside it, nothing in the store's ingest, no unverified
// blob and no layer of the bad image in the store.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <utility>

#include "e2e_support.hpp"
#include "harness/rogue_registry.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;

class RogueRegistryTest : public ::testing::Test {
  protected:
    // Starts a rogue registry and runs boxtool pull REFERENCE --insecure-registry HOST --store
    // STORE --output oci:OUT:v1 ARGS..., REFERENCE being the tag unless `reference` gives one
    // (it may use the registry, started by then).
    RunResult pull(harness::RogueRegistryOptions options, const std::vector<std::string>& args = {},
                   const std::function<std::string(const harness::RogueRegistry&)>& reference = {}) {
        registry = std::make_unique<harness::RogueRegistry>(std::move(options));
        registry->start();
        std::vector<std::string> all = {"--insecure-registry", registry->host(), "--output",
                                        oci_output(out, "v1")};
        all.insert(all.end(), args.begin(), args.end());
        return env.pull(reference ? reference(*registry) : registry->reference(), all);
    }

    void expect_refused(const RunResult& r, int exit_code, const std::vector<std::string>& messages) {
        EXPECT_EQ(r.exit_code, exit_code) << r.describe();
        for (const auto& message : messages) {
            EXPECT_TRUE(contains_icase(r.err, message)) << "stderr lacks \"" << message << "\":\n" << r.err;
        }
        EXPECT_GE(registry->count_misbehaviours(), 1) << "the registry never misbehaved";
    }

    fs::path store_blob(const std::string& digest) const {
        return env.store() / "blobs/sha256" / digest.substr(digest.find(':') + 1);
    }

    // Everything a refused pull must not leave behind, apart from the layers of the bad image.
    void expect_no_output_or_partial_files() {
        EXPECT_FALSE(fs::exists(out)) << "a failed pull created " << out;
        const std::string temp_prefix = "." + out.filename().string() + ".boxtool-";
        for (const auto& entry : fs::directory_iterator(out.parent_path())) {
            EXPECT_NE(entry.path().filename().string().rfind(temp_prefix, 0), 0u)
                << "a failed pull left its temp dir " << entry.path();
        }
        EXPECT_TRUE(stray_ingest_files(env.store()).empty()) << "files left in " << env.store() / "ingest";
        auto problems = verify_blobs(env.store() / "blobs");
        EXPECT_TRUE(problems.empty())
            << "unverified blobs in the store: " << ::testing::PrintToString(problems);
    }

    void expect_nothing_left() {
        expect_no_output_or_partial_files();
        for (const auto& manifest : registry->image().manifests) {
            for (const auto& layer : manifest.layers) {
                EXPECT_FALSE(fs::exists(store_blob(layer.digest)))
                    << "layer " << layer.digest << " of the bad image reached the store";
            }
        }
    }

    // Refused while resolving the reference: not a single blob was asked for, and not even the
    // refused manifest or index was kept in the store.
    void expect_no_blob_requested() {
        EXPECT_EQ(registry->count_requests("GET", "/blobs/"), 0);
        std::vector<fs::path> kept;
        if (fs::exists(env.store() / "blobs"))
            for (const auto& e : fs::recursive_directory_iterator(env.store() / "blobs"))
                if (e.is_regular_file()) kept.push_back(e.path());
        EXPECT_TRUE(kept.empty()) << "a refused document was kept: " << ::testing::PrintToString(kept);
    }

    CliEnv env;
    fs::path out = env.path("out");
    std::unique_ptr<harness::RogueRegistry> registry;
};

// The control: without a misbehaviour, the fixture's image is pulled, so each refusal below is
// the misbehaviour's doing.
TEST_F(RogueRegistryTest, WellBehavedImageIsPulled) {
    auto r = pull({.mode = "none"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    const auto& manifest = registry->image().manifests.at(0);
    EXPECT_EQ(layout_manifest(out, "v1", "linux/amd64"), manifest.digest);
    EXPECT_EQ(read_image_file(out, manifest.digest, "etc/platform"), "linux/amd64\n");
    EXPECT_TRUE(verify_blobs(out / "blobs").empty());
    for (const auto& layer : manifest.layers) EXPECT_TRUE(fs::exists(store_blob(layer.digest)));
    EXPECT_EQ(registry->count_misbehaviours(), 0);
}

TEST_F(RogueRegistryTest, WellBehavedIndexIsPulled) {
    auto r = pull({.mode = "none", .index = true}, {"--platform", "linux/arm64"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    const auto& manifest = registry->image().manifest_for("linux/arm64");
    EXPECT_EQ(layout_manifest(out, "v1", "linux/arm64"), manifest.digest);
    EXPECT_EQ(read_image_file(out, manifest.digest, "etc/platform"), "linux/arm64\n");
}

TEST_F(RogueRegistryTest, HugeManifestIsRefused) {
    auto r = pull({.mode = "huge-manifest"});
    expect_refused(r, kIntegrity, {"larger than 4 MiB", "rogue/app"});
    expect_no_blob_requested();
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, HugeChunkedManifestIsRefused) {
    auto r = pull({.mode = "huge-manifest-chunked"});
    expect_refused(r, kIntegrity, {"larger than 4 MiB", "rogue/app"});
    expect_no_blob_requested();
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, ManifestThatIsNotJsonIsRefused) {
    auto r = pull({.mode = "malformed-manifest", .variant = "not-json"});
    expect_refused(r, kIntegrity, {"invalid manifest", "malformed JSON"});
    expect_no_blob_requested();
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, ManifestWithoutLayersIsRefused) {
    auto r = pull({.mode = "malformed-manifest", .variant = "no-layers"});
    expect_refused(r, kIntegrity, {"invalid manifest", "\"layers\""});
    expect_no_blob_requested();
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, ManifestWithAnInvalidLayerDigestIsRefused) {
    auto r = pull({.mode = "malformed-manifest", .variant = "bad-digest"});
    expect_refused(r, kIntegrity, {"invalid manifest", "layers[0]", "digest"});
    expect_no_blob_requested();
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, ContentDigestHeaderThatDisagreesWithTheBodyIsRefused) {
    auto r = pull({.mode = "wrong-content-digest"});
    // The message names the digest of what was actually served.
    expect_refused(r, kIntegrity, {"digest mismatch", registry->image().digest});
    expect_no_blob_requested();
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, ManifestPulledByDigestMustHaveThatDigest) {
    std::string digest;
    auto r = pull({.mode = "digest-pull-mismatch"}, {}, [&](const harness::RogueRegistry& rogue) {
        digest = rogue.image().manifests.at(0).digest;
        return rogue.reference(digest);
    });
    expect_refused(r, kIntegrity, {"digest mismatch", digest});
    expect_no_blob_requested();
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, BlobLongerThanItsDescriptorIsRefused) {
    auto r = pull({.mode = "blob-too-long"});
    expect_refused(r, kIntegrity, {"larger than its declared size"});
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, BlobShorterThanItsDescriptorIsRefused) {
    auto r = pull({.mode = "blob-too-short"});
    expect_refused(r, kIntegrity, {"bytes, but its descriptor says"});
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, BlobWithWrongContentIsRefused) {
    auto r = pull({.mode = "blob-wrong-bytes"});
    expect_refused(r, kIntegrity, {"digest mismatch"});
    expect_nothing_left();
}

// One bad layer among good ones: the bad one never reaches the store. (Good layers fetched
// alongside it may stay there, verified, as the store is a cache.)
TEST_F(RogueRegistryTest, OneBadLayerAmongGoodOnesIsNotStored) {
    auto r = pull({.mode = "blob-wrong-bytes", .bad_layers = "1"});
    expect_refused(r, kIntegrity, {"digest mismatch"});
    const auto& bad = registry->image().manifests.at(0).layers.at(1);
    EXPECT_FALSE(fs::exists(store_blob(bad.digest))) << "the bad layer reached the store";
    EXPECT_GE(registry->count_misbehaviours(bad.digest), 1);
    expect_no_output_or_partial_files();
}

TEST_F(RogueRegistryTest, IndexEntryWhoseSizeDisagreesWithTheManifestIsRefused) {
    auto r = pull({.mode = "index-size-mismatch"});
    expect_refused(r, kIntegrity, {"the index says"});
    expect_no_blob_requested();
    expect_nothing_left();
}

// Schema 1 as distribution serves it: signed, and its Docker-Content-Digest covers the manifest
// without the signature, so it is not the digest of the body.
TEST_F(RogueRegistryTest, SignedSchema1ManifestIsRefusedAsUnsupported) {
    auto r = pull({.mode = "schema1", .variant = "signed"});
    expect_refused(r, kIntegrity, {"schema 1"});
    expect_no_blob_requested();
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, UnsignedSchema1ManifestIsRefusedAsUnsupported) {
    auto r = pull({.mode = "schema1", .variant = "unsigned"});
    expect_refused(r, kIntegrity, {"schema 1"});
    expect_no_blob_requested();
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, StalledManifestRequestTimesOut) {
    auto r = pull({.mode = "stall"}, {"--timeout", "2", "--retries", "0"});
    expect_refused(r, kNetwork, {"timed out", registry->host()});
    EXPECT_EQ(registry->count_misbehaviours("/manifests/"), 1) << "--retries 0 asked again";
    expect_nothing_left();
}

TEST_F(RogueRegistryTest, IndexWithoutTheHostPlatformFails) {
    auto r = pull({.mode = "no-platform"});
    expect_refused(r, kNoPlatform, {"no manifest for platform", "linux/s390x", "linux/ppc64le"});
    expect_no_blob_requested();
    expect_nothing_left();
}

}  // namespace
}  // namespace boxtool::conformance
