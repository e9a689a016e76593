// What --output oci: does with what is already there, and what a pull without --output leaves.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;

class LayoutTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        one = harness::make_and_push({.out = env.path("src-one"), .tag = "v1", .seed = "one"},
                                     registry.host(), "e2e/app:one");
        two = harness::make_and_push({.out = env.path("src-two"), .tag = "v1", .seed = "two"},
                                     registry.host(), "e2e/app:two");
        ASSERT_NE(one.digest, two.digest);
    }
    RunResult pull_into(const std::string& tag, const fs::path& dir, const std::string& out_tag) {
        return env.pull(registry.host() + "/e2e/app:" + tag,
                        {"--insecure-registry", registry.host(), "--output", oci_output(dir, out_tag)});
    }
    std::optional<std::string> skopeo_digest(const fs::path& dir, const std::string& tag) {
        auto r = harness::run({"skopeo", "inspect", "oci:" + dir.string() + ":" + tag});
        if (r.exit_code != 0) return std::nullopt;
        return Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>(
            "Digest");
    }

    harness::RegistryServer registry;
    CliEnv env;
    harness::ImageInfo one, two;
};

TEST_F(LayoutTest, SecondTagIsAddedBesideTheFirst) {
    auto out = env.path("out");
    ASSERT_EQ(pull_into("one", out, "first").exit_code, kOk);
    ASSERT_EQ(pull_into("two", out, "second").exit_code, kOk);
    EXPECT_EQ(skopeo_digest(out, "first"), one.digest);
    EXPECT_EQ(skopeo_digest(out, "second"), two.digest);
    EXPECT_TRUE(verify_blobs(out / "blobs").empty());
    auto unpack = harness::run(
        {"umoci", "unpack", "--rootless", "--image", out.string() + ":first", env.path("bundle").string()});
    EXPECT_EQ(unpack.exit_code, 0) << unpack.describe();
}

TEST_F(LayoutTest, SameTagIsReplacedAndOthersKept) {
    auto out = env.path("out");
    ASSERT_EQ(pull_into("one", out, "stable").exit_code, kOk);
    ASSERT_EQ(pull_into("one", out, "keep").exit_code, kOk);
    auto r = pull_into("two", out, "stable");
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(skopeo_digest(out, "stable"), two.digest);
    EXPECT_EQ(skopeo_digest(out, "keep"), one.digest);
    // index.json names each tag once.
    auto index =
        Poco::JSON::Parser().parse(harness::read_file(out / "index.json")).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(index->getArray("manifests")->size(), 2u);
}

TEST_F(LayoutTest, LayoutWrittenBySkopeoIsExtended) {
    auto out = env.path("out");
    auto copy =
        harness::run({"skopeo", "copy", "--src-tls-verify=false",
                      "docker://" + registry.host() + "/e2e/app:one", "oci:" + out.string() + ":theirs"});
    ASSERT_EQ(copy.exit_code, 0) << copy.describe();
    ASSERT_EQ(pull_into("two", out, "ours").exit_code, kOk);
    EXPECT_EQ(skopeo_digest(out, "theirs"), one.digest);
    EXPECT_EQ(skopeo_digest(out, "ours"), two.digest);
}

TEST_F(LayoutTest, NonEmptyDirectoryThatIsNotALayoutIsLeftAlone) {
    auto out = env.path("out");
    fs::create_directories(out);
    harness::write_file(out / "notes.txt", "mine");
    auto r = pull_into("one", out, "v1");
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "not an OCI layout")) << r.err;
    EXPECT_EQ(harness::list_files(out).size(), 1u);
    EXPECT_EQ(harness::read_file(out / "notes.txt"), "mine");
}

TEST_F(LayoutTest, WithoutOutputTheImageIsOnlyPrePulled) {
    auto r = env.pull(registry.host() + "/e2e/app:one", {"--insecure-registry", registry.host()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), one.digest);
    EXPECT_FALSE(field(r.out, "Output")) << r.out;
    for (const auto& layer : one.manifests.at(0).layers)
        EXPECT_TRUE(fs::exists(env.store() / "blobs/sha256" / layer.digest.substr(7))) << layer.digest;
    EXPECT_TRUE(fs::exists(env.store() / "blobs/sha256" / one.digest.substr(7)))
        << "the manifest is kept too";
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
}

}  // namespace
}  // namespace boxtool::conformance
