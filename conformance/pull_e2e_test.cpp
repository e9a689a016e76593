// Pulling by tag, by digest and by tag+digest into an OCI layout that the reference tools
// (skopeo, umoci) accept.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

using harness::ImageInfo;
using harness::RegistryServer;

class PullTest : public ::testing::Test {
  protected:
    void SetUp() override { registry.start(); }

    ImageInfo publish(const std::string& repo_and_tag, harness::ImageOptions options) {
        if (options.out.empty()) options.out = env.path("src");
        return harness::make_and_push(options, registry.host(), repo_and_tag);
    }
    std::string ref(const std::string& repo) const { return registry.host() + "/" + repo; }

    RegistryServer registry;
    CliEnv env;
};

TEST_F(PullTest, ByTagWritesLayoutThatSkopeoAndUmociAccept) {
    ImageInfo image = publish("e2e/app:v1", {.tag = "v1"});
    const auto& manifest = image.manifests.at(0);
    auto out = env.path("out");

    auto r = env.pull(ref("e2e/app:v1"),
                      {"--insecure-registry", registry.host(), "--output", oci_output(out, "v1")});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("Pulled " + ref("e2e/app:v1")), std::string::npos) << r.out;
    EXPECT_EQ(field(r.out, "Digest"), image.digest) << r.out;
    EXPECT_EQ(field(r.out, "Manifest"), manifest.digest + " (linux/amd64)") << r.out;
    EXPECT_EQ(field(r.out, "Output"), oci_output(out, "v1")) << r.out;

    auto inspect = harness::run({"skopeo", "inspect", "oci:" + out.string() + ":v1"});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.describe();
    auto json = Poco::JSON::Parser().parse(inspect.out).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(json->getValue<std::string>("Digest"), manifest.digest);
    auto layers = json->getArray("Layers");
    ASSERT_EQ(layers->size(), manifest.layers.size());
    for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
        EXPECT_EQ(layers->getElement<std::string>(static_cast<unsigned>(i)), manifest.layers[i].digest);
    }

    auto bundle = env.path("bundle");
    auto unpack =
        harness::run({"umoci", "unpack", "--rootless", "--image", out.string() + ":v1", bundle.string()});
    ASSERT_EQ(unpack.exit_code, 0) << unpack.describe();
    EXPECT_EQ(harness::read_file(bundle / "rootfs/etc/platform"), "linux/amd64\n");
    EXPECT_EQ(std::filesystem::file_size(bundle / "rootfs/data/layer-2.bin"), 64u * 1024);
    EXPECT_TRUE(verify_blobs(out / "blobs").empty());
}

TEST_F(PullTest, UncompressedAndMixedLayersArePulledAsTheyAre) {
    ImageInfo image = publish("e2e/mixed:v1", {.tag = "v1", .layers = 4, .compression = "mixed"});
    auto out = env.path("out");
    auto r = env.pull(ref("e2e/mixed:v1"),
                      {"--insecure-registry", registry.host(), "--output", oci_output(out, "v1")});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto manifest = layout_manifest(out, "v1", "linux/amd64");
    ASSERT_TRUE(manifest);
    std::vector<std::string> expected;
    for (const auto& layer : image.manifests[0].layers) expected.push_back(layer.digest);
    EXPECT_EQ(layout_layers(out, *manifest), expected);
    EXPECT_EQ(read_image_file(out, *manifest, "etc/platform"), "linux/amd64\n");
}

TEST_F(PullTest, ByDigest) {
    ImageInfo image = publish("e2e/app:v1", {.tag = "v1"});
    auto out = env.path("out");
    auto r = env.pull(ref("e2e/app@" + image.digest),
                      {"--insecure-registry", registry.host(), "--output", oci_output(out, "pinned")});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest) << r.out;
    EXPECT_EQ(layout_manifest(out, "pinned", "linux/amd64"), image.digest);
    auto unpack = harness::run(
        {"umoci", "unpack", "--rootless", "--image", out.string() + ":pinned", env.path("bundle").string()});
    EXPECT_EQ(unpack.exit_code, 0) << unpack.describe();
}

TEST_F(PullTest, TagAndDigestPullsTheDigest) {
    // v2 is another image: with both given, the digest decides what is pulled.
    ImageInfo v1 = publish("e2e/app:v1", {.tag = "v1", .seed = "one"});
    ImageInfo v2 = publish("e2e/app:v2", {.tag = "v2", .seed = "two"});
    ASSERT_NE(v1.digest, v2.digest);
    auto out = env.path("out");
    auto r = env.pull(ref("e2e/app:v2@" + v1.digest),
                      {"--insecure-registry", registry.host(), "--output", oci_output(out, "both")});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), v1.digest) << r.out;
    EXPECT_EQ(layout_manifest(out, "both", "linux/amd64"), v1.digest);
}

TEST_F(PullTest, UnknownDigestFailsAsNotFound) {
    publish("e2e/app:v1", {.tag = "v1"});
    const std::string absent = "sha256:" + std::string(64, '0');
    auto out = env.path("out");
    auto r = env.pull(ref("e2e/app@" + absent),
                      {"--insecure-registry", registry.host(), "--output", oci_output(out, "x")});
    EXPECT_EQ(r.exit_code, kNotFound) << r.describe();
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(PullTest, FailedPullLeavesNoOutputDir) {
    publish("e2e/app:v1", {.tag = "v1"});
    auto out = env.path("out");
    auto r = env.pull(ref("e2e/app:nope"),
                      {"--insecure-registry", registry.host(), "--output", oci_output(out, "v1")});
    EXPECT_EQ(r.exit_code, kNotFound) << r.describe();
    EXPECT_NE(r.err.find("boxtool: error: "), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << "a failed pull created " << out;
}

TEST_F(PullTest, DockerMediaTypesAreAccepted) {
    ImageInfo image = publish("e2e/docker:v1", {.tag = "v1", .docker = true});
    auto out = env.path("out");
    auto r = env.pull(ref("e2e/docker:v1"),
                      {"--insecure-registry", registry.host(), "--output", oci_output(out, "v1")});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest) << r.out;
    // The layout may hold the Docker manifest as is or converted to OCI; either way the
    // reference tools must read it and find the same layers.
    auto inspect = harness::run({"skopeo", "inspect", "oci:" + out.string() + ":v1"});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.describe();
    auto json = Poco::JSON::Parser().parse(inspect.out).extract<Poco::JSON::Object::Ptr>();
    auto layers = json->getArray("Layers");
    ASSERT_EQ(layers->size(), image.manifests[0].layers.size());
    for (std::size_t i = 0; i < layers->size(); ++i) {
        EXPECT_EQ(layers->getElement<std::string>(static_cast<unsigned>(i)),
                  image.manifests[0].layers[i].digest);
    }
    auto unpack = harness::run(
        {"umoci", "unpack", "--rootless", "--image", out.string() + ":v1", env.path("bundle").string()});
    ASSERT_EQ(unpack.exit_code, 0) << unpack.describe();
    EXPECT_EQ(harness::read_file(env.path("bundle") / "rootfs/etc/platform"), "linux/amd64\n");
}

}  // namespace
}  // namespace boxtool::conformance
