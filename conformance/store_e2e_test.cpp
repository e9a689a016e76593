// The shared store: a second pull downloads nothing, and concurrent pulls into one store both
// succeed and leave only verified blobs behind.
#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "e2e_support.hpp"
#include "harness/files.hpp"
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

// --- boxtool store ls / du / verify / prune / rm ---------------------------------------------------

TEST_F(StoreTest, StoreCommandsListMeasureVerifyPruneAndRemove) {
    auto app = harness::make_and_push({.out = env.path("app"), .tag = "v1", .layers = 2, .seed = "app"},
                                      registry.host(), "e2e/app:v1");
    auto tool = harness::make_and_push({.out = env.path("tool"), .tag = "v2", .layers = 2, .seed = "tool"},
                                       registry.host(), "e2e/tool:v2");
    const std::string app_ref = registry.host() + "/e2e/app:v1";
    const std::string tool_ref = registry.host() + "/e2e/tool:v2";
    for (const auto& ref : {app_ref, tool_ref}) {
        auto r = env.pull(ref, {"--insecure-registry", registry.host()});
        ASSERT_EQ(r.exit_code, kOk) << r.describe();
    }
    const std::vector<std::string> at = {"--store", env.store().string()};
    auto cmd = [&](std::vector<std::string> args) {
        args.insert(args.end(), at.begin(), at.end());
        return env.boxtool(args);
    };

    auto ls = cmd({"store", "ls"});
    ASSERT_EQ(ls.exit_code, kOk) << ls.describe();
    EXPECT_NE(ls.out.find(app_ref), std::string::npos) << ls.out;
    EXPECT_NE(ls.out.find(tool_ref), std::string::npos) << ls.out;
    EXPECT_NE(ls.out.find("linux/amd64"), std::string::npos) << ls.out;
    auto json = cmd({"store", "ls", "--json"});
    EXPECT_NE(json.out.find("\"digest\": \"" + app.digest + "\""), std::string::npos) << json.out;

    auto du = cmd({"store", "du"});
    ASSERT_EQ(du.exit_code, kOk) << du.describe();
    EXPECT_NE(du.out.find("images:       2"), std::string::npos) << du.out;
    EXPECT_NE(du.out.find("unreferenced: 0 blob(s)"), std::string::npos) << du.out;

    auto verify = cmd({"store", "verify"});
    EXPECT_EQ(verify.exit_code, kOk) << verify.describe();
    EXPECT_NE(verify.out.find("0 problem(s)"), std::string::npos) << verify.out;

    // Forget the app: its blobs become unreferenced; a dry run names them and removes nothing.
    auto rm = cmd({"store", "rm", app_ref});
    ASSERT_EQ(rm.exit_code, kOk) << rm.describe();
    EXPECT_EQ(cmd({"store", "rm", app_ref}).exit_code, kNotFound);
    const auto app_layer = env.store() / "blobs/sha256" / app.manifests[0].layers[0].digest.substr(7);
    auto dry = cmd({"store", "prune", "--dry-run"});
    ASSERT_EQ(dry.exit_code, kOk) << dry.describe();
    EXPECT_NE(dry.out.find("would remove blobs/sha256/" + app.manifests[0].layers[0].digest.substr(7)),
              std::string::npos)
        << dry.out;
    EXPECT_TRUE(std::filesystem::exists(app_layer));
    auto prune = cmd({"store", "prune"});
    ASSERT_EQ(prune.exit_code, kOk) << prune.describe();
    EXPECT_FALSE(std::filesystem::exists(app_layer));
    for (const auto& layer : tool.manifests[0].layers)
        EXPECT_TRUE(std::filesystem::exists(env.store() / "blobs/sha256" / layer.digest.substr(7)));
    EXPECT_EQ(cmd({"store", "verify"}).exit_code, kOk);
    // The image that stayed still needs no download.
    int gets = registry.count_requests("GET", "/blobs/");
    auto again = env.pull(tool_ref, {"--insecure-registry", registry.host()});
    ASSERT_EQ(again.exit_code, kOk) << again.describe();
    EXPECT_EQ(registry.count_requests("GET", "/blobs/"), gets);
}

TEST_F(StoreTest, VerifyFindsATamperedBlobAndPruneClearsPartialsAndLocks) {
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1"}, registry.host(), "e2e/app:v1");
    auto r = env.pull(registry.host() + "/e2e/app:v1", {"--insecure-registry", registry.host()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    const auto blob = env.store() / "blobs/sha256" / image.manifests[0].layers[0].digest.substr(7);
    std::filesystem::permissions(blob, std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
    { std::ofstream(blob, std::ios::binary | std::ios::app) << "x"; }
    auto verify = env.boxtool({"store", "verify", "--store", env.store().string()});
    EXPECT_EQ(verify.exit_code, kFailure) << verify.describe();
    EXPECT_NE(verify.out.find("BAD " + blob.string()), std::string::npos) << verify.out;
    // Leftovers of a crash: a partial and its lock file, nobody holding them.
    const std::string hex(64, 'a');
    harness::write_file(env.store() / "ingest" / ("sha256-" + hex + ".partial"), "half");
    harness::write_file(env.store() / "locks" / ("sha256-" + hex + ".lock"), "");
    const std::string lone(64, 'b');  // a lock file alone
    harness::write_file(env.store() / "locks" / ("sha256-" + lone + ".lock"), "");
    auto dry = env.boxtool({"store", "prune", "--dry-run", "--store", env.store().string()});
    ASSERT_EQ(dry.exit_code, kOk) << dry.describe();
    EXPECT_NE(dry.out.find("would remove ingest/sha256-" + hex + ".partial"), std::string::npos) << dry.out;
    EXPECT_TRUE(std::filesystem::exists(env.store() / "locks" / ("sha256-" + lone + ".lock")));  // dry: kept
    auto prune = env.boxtool({"store", "prune", "--store", env.store().string()});
    ASSERT_EQ(prune.exit_code, kOk) << prune.describe();
    EXPECT_TRUE(ingest_leftovers(env.store()).empty());
    EXPECT_TRUE(std::filesystem::is_empty(env.store() / "locks"));
}

TEST_F(StoreTest, StoreCommandsOnAMissingStoreCreateNothing) {
    const auto nowhere = env.path("no-store");
    auto ls = env.boxtool({"store", "ls", "--store", nowhere.string()});
    EXPECT_EQ(ls.exit_code, kOk) << ls.describe();
    EXPECT_EQ(env.boxtool({"store", "prune", "--store", nowhere.string()}).exit_code, kOk);
    EXPECT_FALSE(std::filesystem::exists(nowhere));
}

}  // namespace
}  // namespace boxtool::conformance
