// The shared store: a second pull downloads nothing, and concurrent pulls into one store both
// succeed and leave only verified blobs behind.
#include <gtest/gtest.h>

#include <future>

#include "e2e_support.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

class StoreTest : public ::testing::Test {
  protected:
    void SetUp() override { registry.start(); }

    void expect_store_complete(const harness::ImageInfo& image) {
        EXPECT_EQ(verify_blobs(env.store() / "blobs"), std::vector<std::string>{});
        EXPECT_EQ(ingest_leftovers(env.store()), std::vector<std::filesystem::path>{});
        for (const auto& m : image.manifests) {
            for (const auto& layer : m.layers) {
                EXPECT_TRUE(std::filesystem::exists(env.store() / "blobs/sha256" / layer.digest.substr(7)))
                    << layer.digest << " is not in the store";
            }
        }
    }

    harness::RegistryServer registry;
    CliEnv env;
};

TEST_F(StoreTest, SecondPullDownloadsNoBlob) {
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1"}, registry.host(), "e2e/app:v1");
    const std::string ref = registry.host() + "/e2e/app:v1";
    const std::vector<std::string> args{"--insecure-registry", registry.host()};
    int blob_gets_before = registry.count_requests("GET", "^/v2/e2e/app/blobs/");

    auto first = env.pull(ref, args);
    ASSERT_EQ(first.exit_code, kOk) << first.describe();
    int blob_gets_first = registry.count_requests("GET", "^/v2/e2e/app/blobs/");
    EXPECT_GE(blob_gets_first - blob_gets_before, 1 + static_cast<int>(image.manifests[0].layers.size()))
        << "config and every layer should have been downloaded";
    int manifest_requests_first = registry.count_requests("", "^/v2/e2e/app/manifests/");

    auto second = env.pull(ref, args);
    ASSERT_EQ(second.exit_code, kOk) << second.describe();
    EXPECT_EQ(registry.count_requests("GET", "^/v2/e2e/app/blobs/"), blob_gets_first)
        << "the second pull downloaded blobs already in the store";
    EXPECT_GT(registry.count_requests("", "^/v2/e2e/app/manifests/"), manifest_requests_first)
        << "the second pull must still resolve the tag";
    EXPECT_EQ(field(second.out, "Digest"), image.digest);
    expect_store_complete(image);
}

TEST_F(StoreTest, SecondPullOfAnIndexFetchesOnlyTheIndex) {
    // The tag may have moved, so the index is always asked for; the platform manifest it names is
    // content-addressed and already in the store, so it is not.
    auto image = harness::make_and_push(
        {.out = env.path("src"), .tag = "v1", .platforms = {"linux/amd64", "linux/arm64"}}, registry.host(),
        "e2e/multi:v1");
    const std::string ref = registry.host() + "/e2e/multi:v1";
    const std::vector<std::string> args{"--insecure-registry", registry.host(), "--platform", "linux/arm64"};
    auto first = env.pull(ref, args);
    ASSERT_EQ(first.exit_code, kOk) << first.describe();
    int manifests_before = registry.count_requests("GET", "^/v2/e2e/multi/manifests/");
    int blobs_before = registry.count_requests("GET", "^/v2/e2e/multi/blobs/");
    auto second = env.pull(ref, args);
    ASSERT_EQ(second.exit_code, kOk) << second.describe();
    EXPECT_EQ(registry.count_requests("GET", "^/v2/e2e/multi/manifests/") - manifests_before, 1);
    EXPECT_EQ(registry.count_requests("GET", "^/v2/e2e/multi/manifests/v1$"), 2)
        << "the tag is resolved each time";
    EXPECT_EQ(registry.count_requests("GET", "^/v2/e2e/multi/blobs/"), blobs_before);
    EXPECT_EQ(field(second.out, "Digest"), image.digest);
}

TEST_F(StoreTest, ConcurrentPullsShareOneStore) {
    // Layers big enough that the two downloads overlap.
    auto image = harness::make_and_push(
        {.out = env.path("src"), .tag = "v1", .layers = 4, .layer_size = 4 << 20, .random = true},
        registry.host(), "e2e/big:v1");
    const std::string ref = registry.host() + "/e2e/big:v1";
    auto pull_into = [&](const std::string& out) {
        return env.pull(
            ref, {"--insecure-registry", registry.host(), "--output", oci_output(env.path(out), "v1")});
    };
    auto one = std::async(std::launch::async, pull_into, "out-1");
    auto two = std::async(std::launch::async, pull_into, "out-2");
    auto r1 = one.get();
    auto r2 = two.get();
    ASSERT_EQ(r1.exit_code, kOk) << r1.describe();
    ASSERT_EQ(r2.exit_code, kOk) << r2.describe();
    expect_store_complete(image);
    for (const char* out : {"out-1", "out-2"}) {
        EXPECT_EQ(layout_manifest(env.path(out), "v1", "linux/amd64"), image.digest) << out;
        EXPECT_TRUE(verify_blobs(env.path(out) / "blobs").empty()) << out;
    }
}

}  // namespace
}  // namespace boxtool::conformance
