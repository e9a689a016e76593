// Choosing one manifest from a multi-platform index with --platform.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <map>

#include "e2e_support.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

class PlatformTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push(
            {.out = env.path("src"), .tag = "v1", .platforms = {"linux/amd64", "linux/arm64"}, .layers = 2},
            registry.host(), "e2e/multi:v1");
    }

    RunResult pull_platform(const std::string& platform, const std::filesystem::path& out) {
        return env.pull(registry.host() + "/e2e/multi:v1",
                        {"--insecure-registry", registry.host(), "--platform", platform, "--output",
                         oci_output(out, "v1")});
    }

    void expect_platform_pulled(const std::string& platform) {
        std::string name = platform;
        std::replace(name.begin(), name.end(), '/', '-');
        auto out = env.path("out-" + name);
        auto r = pull_platform(platform, out);
        ASSERT_EQ(r.exit_code, kOk) << r.describe();
        const auto& expected = image.manifest_for(platform);
        EXPECT_EQ(field(r.out, "Digest"), image.digest) << "the index digest is what the tag resolved to\n"
                                                        << r.out;
        EXPECT_EQ(field(r.out, "Manifest"), expected.digest + " (" + platform + ")") << r.out;
        auto manifest = layout_manifest(out, "v1", platform);
        ASSERT_EQ(manifest, expected.digest) << "the output has no " << platform << " manifest under tag v1";
        EXPECT_EQ(read_image_file(out, *manifest, "etc/platform"), platform + "\n");
        EXPECT_TRUE(verify_blobs(out / "blobs").empty());
    }

    harness::RegistryServer registry;
    CliEnv env;
    harness::ImageInfo image;
};

TEST_F(PlatformTest, Arm64GetsArm64Content) {
    expect_platform_pulled("linux/arm64");
}

TEST_F(PlatformTest, Amd64GetsAmd64Content) {
    expect_platform_pulled("linux/amd64");
}

TEST_F(PlatformTest, MissingPlatformFailsListingTheAvailableOnes) {
    auto out = env.path("out");
    auto r = pull_platform("linux/s390x", out);
    EXPECT_EQ(r.exit_code, kNoPlatform) << r.describe();
    EXPECT_NE(r.err.find("linux/s390x"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("linux/amd64"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("linux/arm64"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(PlatformTest, InspectDescribesIndexAndChosenManifest) {
    auto r = env.boxtool({"inspect", registry.host() + "/e2e/multi:v1", "--insecure-registry",
                          registry.host(), "--platform", "linux/arm64"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    Poco::JSON::Object::Ptr json;
    ASSERT_NO_THROW(json = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>()) << r.out;
    EXPECT_EQ(json->optValue<std::string>("registry", ""), registry.host());
    EXPECT_EQ(json->optValue<std::string>("repository", ""), "e2e/multi");
    EXPECT_EQ(json->optValue<std::string>("digest", ""), image.digest);
    EXPECT_EQ(json->optValue<std::string>("mediaType", ""), image.media_type);

    auto platforms = json->getArray("platforms");
    ASSERT_TRUE(platforms) << r.out;
    std::map<std::string, std::string> listed;  // platform -> digest
    for (std::size_t i = 0; i < platforms->size(); ++i) {
        auto p = platforms->getObject(static_cast<unsigned>(i));
        listed[p->optValue<std::string>("os", "") + "/" + p->optValue<std::string>("architecture", "")] =
            p->optValue<std::string>("digest", "");
    }
    EXPECT_EQ(listed, (std::map<std::string, std::string>{
                          {"linux/amd64", image.manifest_for("linux/amd64").digest},
                          {"linux/arm64", image.manifest_for("linux/arm64").digest}}));

    auto manifest = json->getObject("manifest");
    ASSERT_TRUE(manifest) << r.out;
    const auto& arm64 = image.manifest_for("linux/arm64");
    EXPECT_EQ(manifest->optValue<std::string>("digest", ""), arm64.digest);
    auto layers = manifest->getArray("layers");
    ASSERT_TRUE(layers) << r.out;
    ASSERT_EQ(layers->size(), arm64.layers.size());
    for (std::size_t i = 0; i < arm64.layers.size(); ++i) {
        auto layer = layers->getObject(static_cast<unsigned>(i));
        EXPECT_EQ(layer->optValue<std::string>("digest", ""), arm64.layers[i].digest);
        EXPECT_EQ(layer->optValue<std::uint64_t>("size", 0), arm64.layers[i].size);
        EXPECT_EQ(layer->optValue<std::string>("mediaType", ""), arm64.layers[i].media_type);
    }
}

}  // namespace
}  // namespace boxtool::conformance
