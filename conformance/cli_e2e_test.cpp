// The command line's surface: help, version, usage errors, progress modes and inspect's JSON.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>

#include "e2e_support.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

TEST(CliTest, HelpForEveryCommand) {
    CliEnv env;
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--help"}, {"pull", "--help"}, {"inspect", "--help"}, {"version", "--help"}}) {
        auto r = env.boxtool(args);
        EXPECT_EQ(r.exit_code, kOk) << r.describe();
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.describe();
    }
    auto pull = env.boxtool({"pull", "--help"});
    for (const char* flag : {"--output", "--jobs", "--progress", "--registry", "--insecure-registry",
                             "--config", "--store", "--platform", "--creds", "--password-stdin"})
        EXPECT_NE(pull.out.find(flag), std::string::npos) << flag << " is not in pull --help";
}

TEST(CliTest, VersionPrintsTheVersion) {
    CliEnv env;
    auto r = env.boxtool({"version"});
    EXPECT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(r.out.rfind("boxtool ", 0), 0u) << r.out;
}

TEST(CliTest, UsageErrorsExitTwoAndTouchNothing) {
    CliEnv env;
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {},
             {"frobnicate"},
             {"pull"},
             {"pull", "a", "b"},
             {"pull", "alpine", "--no-such-flag"},
             {"pull", "alpine", "--jobs", "0"},
             {"pull", "alpine", "--jobs", "many"},
             {"pull", "alpine", "--progress", "loud"},
             {"pull", "alpine", "--platform", "linux"},
             {"pull", "alpine", "--output", "tarball:/tmp/x"},
             {"pull", "alpine", "--registry", "not a host"},
             {"pull", "alpine", "--password-stdin"},
             {"pull", "library/UPPER"},
             {"pull", "alpine@sha256:123"},
             {"inspect", "a//b"},
         }) {
        std::vector<std::string> full = args;
        if (!full.empty() && (full[0] == "pull" || full[0] == "inspect"))
            full.insert(full.end(), {"--store", env.store().string()});
        auto r = env.boxtool(full);
        EXPECT_EQ(r.exit_code, kUsage) << r.describe();
        EXPECT_FALSE(r.err.empty()) << "no explanation for a usage error: " << r.describe();
    }
    EXPECT_FALSE(std::filesystem::exists(env.store())) << "a usage error created the store";
}

class CliRegistryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push(
            {.out = env.path("src"), .tag = "v1", .platforms = {"linux/amd64", "linux/arm64"}, .layers = 3},
            registry.host(), "cli/app:v1");
    }
    std::string ref() const { return registry.host() + "/cli/app:v1"; }

    harness::RegistryServer registry;
    CliEnv env;
    harness::ImageInfo image;
};

TEST_F(CliRegistryTest, ProgressJsonWritesOnlyJsonLinesToStdout) {
    auto r = env.pull(ref(), {"--insecure-registry", registry.host(), "--progress", "json"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_FALSE(lines.empty());
    std::set<std::string> events;
    for (const auto& line : lines) {
        Poco::JSON::Object::Ptr obj;
        ASSERT_NO_THROW(obj = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>()) << line;
        ASSERT_TRUE(obj && obj->has("event")) << line;
        events.insert(obj->getValue<std::string>("event"));
    }
    for (const char* e : {"candidate-start", "resolved", "blob-start", "blob-done", "pulled"})
        EXPECT_TRUE(events.count(e)) << "no " << e << " event in:\n" << r.out;
    auto last = Poco::JSON::Parser().parse(lines.back()).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(last->getValue<std::string>("event"), "pulled");
    EXPECT_EQ(last->getValue<std::string>("digest"), image.digest);
}

TEST_F(CliRegistryTest, QuietPrintsNoProgress) {
    auto r = env.pull(ref(), {"--insecure-registry", registry.host(), "-q"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_TRUE(r.err.empty()) << "progress with -q:\n" << r.err;
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
}

TEST_F(CliRegistryTest, PlainProgressNamesEveryBlobWhenNotATerminal) {
    auto r = env.pull(ref(), {"--insecure-registry", registry.host()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(r.err.find("\x1b["), std::string::npos) << "terminal escapes in a pipe:\n" << r.err;
    for (const auto& layer : image.manifests.at(0).layers)
        EXPECT_NE(r.err.find(layer.digest.substr(7, 12) + " done"), std::string::npos) << r.err;
}

TEST_F(CliRegistryTest, InspectPrintsTheResolutionAsJson) {
    auto r = env.boxtool({"inspect", ref(), "--insecure-registry", registry.host(), "--store",
                          env.store().string(), "--platform", "linux/arm64"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto obj = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(obj->getValue<std::string>("registry"), registry.host());
    EXPECT_EQ(obj->getValue<std::string>("repository"), "cli/app");
    EXPECT_EQ(obj->getValue<std::string>("digest"), image.digest);
    auto platforms = obj->getArray("platforms");
    ASSERT_EQ(platforms->size(), 2u);
    auto manifest = obj->getObject("manifest");
    const harness::ManifestInfo* arm = nullptr;
    for (const auto& m : image.manifests)
        if (m.platform == "linux/arm64") arm = &m;
    ASSERT_NE(arm, nullptr);
    EXPECT_EQ(manifest->getValue<std::string>("digest"), arm->digest);
    EXPECT_EQ(manifest->getValue<std::string>("platform"), "linux/arm64");
    EXPECT_EQ(manifest->getArray("layers")->size(), arm->layers.size());
    // inspect reads the manifests and the chosen image's config (for its summary): no layer.
    EXPECT_EQ(registry.count_requests("GET", "^/v2/cli/app/blobs/"), 1);
    EXPECT_EQ(registry.count_requests("GET", "^/v2/cli/app/blobs/" + arm->config.digest), 1);
    for (const auto& layer : arm->layers)
        EXPECT_EQ(registry.count_requests("GET", "^/v2/cli/app/blobs/" + layer.digest), 0);
}

}  // namespace
}  // namespace boxtool::conformance
