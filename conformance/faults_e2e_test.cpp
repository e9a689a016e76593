// Through the fault proxy: transient failures are retried, corrupted content is refused and
// never stored.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

class FaultTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1"}, registry.host(), "e2e/app:v1");
    }

    // Pulls e2e/app:v1 through a proxy with the given rules.
    RunResult pull_through(harness::FaultProxyOptions rules, const std::filesystem::path& out) {
        rules.upstream = registry.url();
        proxy = std::make_unique<harness::FaultProxy>(std::move(rules));
        proxy->start();
        return env.pull(proxy->host() + "/e2e/app:v1",
                        {"--insecure-registry", proxy->host(), "--output", oci_output(out, "v1")});
    }

    harness::RegistryServer registry;
    CliEnv env;
    harness::ImageInfo image;
    std::unique_ptr<harness::FaultProxy> proxy;
};

TEST_F(FaultTest, ServerErrorsOnBlobsAreRetried) {
    auto out = env.path("out");
    auto r = pull_through({.fail = {"GET /blobs/sha256::503:2"}}, out);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    int injected = 0;
    for (const auto& request : proxy->requests()) injected += request.status == 503 ? 1 : 0;
    EXPECT_EQ(injected, 2) << "the proxy did not inject both failures";
    EXPECT_EQ(layout_manifest(out, "v1", "linux/amd64"), image.digest);
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
}

TEST_F(FaultTest, ConnectionResetMidBlobIsRetried) {
    auto out = env.path("out");
    auto r = pull_through({.reset = {"GET /blobs/sha256::2"}}, out);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(layout_manifest(out, "v1", "linux/amd64"), image.digest);
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
    EXPECT_TRUE(ingest_leftovers(env.store()).empty());
}

TEST_F(FaultTest, ConnectionResetMidBlobResumesWithARange) {
    // The proxy cuts the first GET of one layer after 16 bytes: the retry must ask for the rest
    // (Range), which registry:2 answers with 206, and the resumed blob must still verify.
    const auto& layer = image.manifests[0].layers[1];
    auto out = env.path("out");
    auto r = pull_through({.reset = {"GET /blobs/" + layer.digest + "$:1"}}, out);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find(layer.digest.substr(7, 12) + " retrying from 16 B"), std::string::npos) << r.err;
    int ranged = 0, whole = 0;
    for (const auto& request : proxy->requests()) {
        if (request.path.find(layer.digest) == std::string::npos) continue;
        ranged += request.status == 206 ? 1 : 0;
        whole += request.status == 200 ? 1 : 0;
    }
    EXPECT_EQ(ranged, 1) << "the retry did not resume with a Range request";
    EXPECT_EQ(whole, 1) << "only the first, cut-off request should have asked for the whole blob";
    EXPECT_EQ(layout_manifest(out, "v1", "linux/amd64"), image.digest);
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
    EXPECT_TRUE(verify_blobs(out / "blobs").empty());
    EXPECT_TRUE(ingest_leftovers(env.store()).empty());
}

TEST_F(FaultTest, CorruptedBlobFailsAndIsNotStored) {
    const auto& layer = image.manifests[0].layers[1];
    auto out = env.path("out");
    auto r = pull_through({.corrupt = {"GET /blobs/" + layer.digest + "$:*"}}, out);
    EXPECT_EQ(r.exit_code, kIntegrity) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "digest mismatch")) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << "a failed pull created " << out;
    EXPECT_FALSE(std::filesystem::exists(env.store() / "blobs/sha256" / layer.digest.substr(7)))
        << "the corrupted blob reached the store";
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
    EXPECT_TRUE(stray_ingest_files(env.store()).empty());
    EXPECT_GE(proxy->count_requests("GET", layer.digest), 1);
}

}  // namespace
}  // namespace boxtool::conformance
