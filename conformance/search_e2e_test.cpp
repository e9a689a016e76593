// Unqualified references tried on the search registries in order (flags or --config), then
// docker.io; and bad config files rejected before anything is written.
#include <gtest/gtest.h>

#include <netdb.h>

#include <sstream>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

// The last candidate of every unqualified pull is Docker Hub. Where its name resolves, a failing
// test would send traffic off this machine, which a hermetic test must never do.
bool docker_hub_resolves() {
    addrinfo* found = nullptr;
    int rc = ::getaddrinfo("registry-1.docker.io", "443", nullptr, &found);
    if (found) ::freeaddrinfo(found);
    return rc == 0;
}

// The line of `text` that names `needle`, or "".
std::string line_with(const std::string& text, const std::string& needle) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.find(needle) != std::string::npos) return line;
    }
    return "";
}

class SearchTest : public ::testing::Test {
  protected:
    void SetUp() override {
        a.start();
        b.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1"}, b.host(), "e2e/app:v1");
        b_blob_gets_after_push = b.count_requests("GET", "/blobs/");
        b_requests_after_push = b.count_requests("", "/v2/e2e/");
    }

    std::filesystem::path write_config(const std::string& json) {
        auto file = env.path("config.json");
        harness::write_file(file, json);
        return file;
    }

    std::string registries_json() const { return "[\"" + a.host() + "\", \"" + b.host() + "\"]"; }

    harness::RegistryServer a;
    harness::RegistryServer b;
    CliEnv env;
    harness::ImageInfo image;
    int b_blob_gets_after_push = 0;
    int b_requests_after_push = 0;
};

TEST_F(SearchTest, FlagsTryRegistriesInOrder) {
    auto args = std::vector<std::string>{"--registry", a.host(), "--registry", b.host()};
    for (const auto& flag : insecure({a.host(), b.host()})) args.push_back(flag);
    auto r = env.pull("e2e/app:v1", args);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("Pulled " + b.host() + "/e2e/app:v1"), std::string::npos) << r.out;
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    EXPECT_GE(a.count_requests("", "^/v2/e2e/app/manifests/v1$"), 1) << "A, listed first, was not tried";
    EXPECT_EQ(a.count_requests("GET", "/blobs/"), 0);
    EXPECT_GT(b.count_requests("GET", "/blobs/"), b_blob_gets_after_push);
}

TEST_F(SearchTest, ImageOnNoRegistryNamesEveryCandidateWithItsReason) {
    if (docker_hub_resolves())
        GTEST_SKIP() << "registry-1.docker.io resolves here; this test must stay offline";
    auto args = std::vector<std::string>{"--registry", a.host(), "--registry", b.host()};
    for (const auto& flag : insecure({a.host(), b.host()})) args.push_back(flag);
    auto r = env.pull("e2e/absent:v1", args);
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.exit_code, kUsage) << r.describe();
    // Judge the error message itself, not the progress lines before it.
    auto at = r.err.find("boxtool: error:");
    ASSERT_NE(at, std::string::npos) << r.err;
    const std::string error = r.err.substr(at);
    for (const auto& candidate : {a.host(), b.host(), std::string("docker.io")}) {
        auto line = line_with(error, candidate);
        EXPECT_FALSE(line.empty()) << candidate << " is not named in:\n" << error;
        EXPECT_GT(line.size(), line.find(candidate) + candidate.size() + 3)
            << "no reason given for " << candidate << ":\n"
            << error;
    }
    // The repository exists on neither test registry.
    for (const auto& host : {a.host(), b.host()}) {
        auto line = line_with(error, host);
        EXPECT_TRUE(contains_icase(line, "name unknown") || contains_icase(line, "manifest unknown"))
            << error;
    }
    auto pos_a = error.find(a.host()), pos_b = error.find(b.host()), pos_hub = error.find("docker.io");
    EXPECT_LT(pos_a, pos_b) << "candidates out of order:\n" << error;
    EXPECT_LT(pos_b, pos_hub) << "candidates out of order:\n" << error;
}

TEST_F(SearchTest, ConfigFileGivesTheSameOrder) {
    auto config = write_config("{\"image_registries\": " + registries_json() +
                               ", \"insecure_registries\": " + registries_json() + "}");
    auto r = env.pull("e2e/app:v1", {"--config", config.string()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("Pulled " + b.host() + "/e2e/app:v1"), std::string::npos) << r.out;
    EXPECT_GE(a.count_requests("", "^/v2/e2e/app/manifests/v1$"), 1) << "A, listed first, was not tried";
}

TEST_F(SearchTest, ConfigFileStoreIsUsedWithoutStoreFlag) {
    auto store = env.path("config-store");
    auto config = write_config("{\"image_registries\": " + registries_json() + ", \"insecure_registries\": " +
                               registries_json() + ", \"store\": \"" + store.string() + "\"}");
    auto r = env.boxtool({"pull", "e2e/app:v1", "--config", config.string()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    for (const auto& layer : image.manifests[0].layers) {
        auto hex = layer.digest.substr(layer.digest.find(':') + 1);
        EXPECT_TRUE(std::filesystem::exists(store / "blobs/sha256" / hex)) << layer.digest;
    }
}

TEST_F(SearchTest, MissingConfigFileIsAUsageError) {
    auto r = env.pull("e2e/app:v1", {"--config", env.path("no-such-config.json").string()});
    EXPECT_EQ(r.exit_code, kUsage) << r.describe();
    EXPECT_NE(r.err.find("no-such-config.json"), std::string::npos) << r.err;
    EXPECT_TRUE(harness::list_files(env.store()).empty()) << "the store was written to";
    EXPECT_EQ(a.count_requests("", "/v2/e2e/"), 0) << "a registry was contacted";
    EXPECT_EQ(b.count_requests("", "/v2/e2e/"), b_requests_after_push) << "a registry was contacted";
}

TEST_F(SearchTest, InvalidJsonConfigIsAUsageError) {
    auto config = write_config("{\"image_registries\": [\"" + b.host() + "\",");
    auto r = env.pull("e2e/app:v1", {"--config", config.string()});
    EXPECT_EQ(r.exit_code, kUsage) << r.describe();
    EXPECT_NE(r.err.find("boxtool: error: "), std::string::npos) << r.err;
    EXPECT_TRUE(harness::list_files(env.store()).empty()) << "the store was written to";
    EXPECT_EQ(a.count_requests("", "/v2/e2e/"), 0) << "a registry was contacted";
    EXPECT_EQ(b.count_requests("", "/v2/e2e/"), b_requests_after_push) << "a registry was contacted";
}

}  // namespace
}  // namespace boxtool::conformance
