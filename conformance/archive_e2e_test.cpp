// --output docker-archive:FILE[:NAME:TAG] and oci-archive:FILE[:TAG]: read by skopeo inspect,
// loaded by podman load, and never left half-written.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"
#include "harness/paths.hpp"
#include "tree_snapshot.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Object;

Object::Ptr json_object(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Object::Ptr>();
}

class ArchiveOutput : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        // gzip, zstd and uncompressed layers: the docker-archive must hold them all uncompressed.
        image = harness::make_and_push(
            {.out = env.path("src"), .tag = "v1", .compression = "cycle", .content = "features"},
            registry.host(), "e2e/archive:v1");
        fs::create_directories(work);
    }
    RunResult pull_to(const std::string& output) {
        return env.pull(registry.host() + "/e2e/archive:v1",
                        {"--insecure-registry", registry.host(), "--output", output});
    }
    RunResult podman(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {"podman",
                                         "--root",
                                         env.path("podman/root").string(),
                                         "--runroot",
                                         env.path("podman/run").string(),
                                         "--storage-driver",
                                         "vfs",
                                         "--events-backend",
                                         "file",
                                         "--cgroup-manager",
                                         "cgroupfs"};
        argv.insert(argv.end(), args.begin(), args.end());
        return harness::run(argv, {.env = {{"HOME", env.home().string()},
                                           {"XDG_CONFIG_HOME", (env.home() / ".config").string()},
                                           {"XDG_RUNTIME_DIR", env.path("podman/xdg").string()}},
                                   .timeout = std::chrono::minutes(3)});
    }
    std::vector<std::string> diff_ids() const {
        std::vector<std::string> out;
        for (const auto& layer : image.manifests.at(0).layers) out.push_back(layer.diff_id);
        return out;
    }

    harness::RegistryServer registry;
    CliEnv env;
    harness::ImageInfo image;
    fs::path work = env.path("work");
};

TEST_F(ArchiveOutput, DockerArchiveIsReadBySkopeoAndLoadedByPodman) {
    fs::path file = work / "image.tar";
    auto r = pull_to("docker-archive:" + file.string());
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(dir_names(work), std::vector<std::string>{"image.tar"});

    auto inspect = harness::run({"skopeo", "inspect", "docker-archive:" + file.string()});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.describe();
    auto layers = json_object(inspect.out)->getArray("Layers");
    ASSERT_TRUE(layers);
    std::vector<std::string> listed;
    for (std::size_t i = 0; i < layers->size(); ++i)
        listed.push_back(layers->getElement<std::string>(static_cast<unsigned>(i)));
    EXPECT_EQ(listed, diff_ids());  // uncompressed layers, named by what the config says

    auto manifest = harness::run({"tar", "-xOf", file.string(), "manifest.json"});
    ASSERT_EQ(manifest.exit_code, 0) << manifest.describe();
    std::string repo_tag = registry.host() + "/e2e/archive:v1";
    EXPECT_NE(manifest.out.find("\"RepoTags\":[\"" + repo_tag + "\"]"), std::string::npos) << manifest.out;
    auto repositories = harness::run({"tar", "-xOf", file.string(), "repositories"});
    EXPECT_EQ(repositories.exit_code, 0) << repositories.describe();

    auto load = podman({"load", "-i", file.string()});
    ASSERT_EQ(load.exit_code, 0) << load.describe();
    EXPECT_TRUE(contains_icase(load.out + load.err, "Loaded image: " + repo_tag)) << load.describe();
    auto images = podman({"images", "--format", "{{.Repository}}:{{.Tag}}"});
    EXPECT_NE(images.out.find(repo_tag), std::string::npos) << images.describe();
}

TEST_F(ArchiveOutput, DockerArchiveTakesNameAndTag) {
    fs::path file = work / "named.tar";
    auto r = pull_to("docker-archive:" + file.string() + ":localhost:5000/team/app:v9");
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto manifest = harness::run({"tar", "-xOf", file.string(), "manifest.json"});
    EXPECT_NE(manifest.out.find("\"RepoTags\":[\"localhost:5000/team/app:v9\"]"), std::string::npos)
        << manifest.out;
    auto repositories = harness::run({"tar", "-xOf", file.string(), "repositories"});
    EXPECT_NE(repositories.out.find("\"localhost:5000/team/app\":{\"v9\":"), std::string::npos)
        << repositories.out;
}

TEST_F(ArchiveOutput, OciArchiveIsReadBySkopeo) {
    fs::path file = work / "image-oci.tar";
    auto r = pull_to("oci-archive:" + file.string() + ":stable");
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto inspect = harness::run({"skopeo", "inspect", "oci-archive:" + file.string() + ":stable"});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.describe();
    EXPECT_EQ(json_object(inspect.out)->getValue<std::string>("Digest"), image.digest);
    auto untagged = harness::run({"skopeo", "inspect", "oci-archive:" + file.string()});
    EXPECT_EQ(untagged.exit_code, 0) << untagged.describe();
    EXPECT_EQ(dir_names(work), std::vector<std::string>{"image-oci.tar"});
}

TEST_F(ArchiveOutput, BadLayerLeavesNoArchive) {
    harness::make_image({.out = env.path("bad"),
                         .tag = "v1",
                         .content = "hostile:diff-id-mismatch",
                         .sentinel = env.path("unused")});
    auto push = harness::run({harness::python().string(),
                              harness::fixture_script("tools/fixtures/push_layout.py").string(), "--layout",
                              env.path("bad").string(), "--tag", "v1", "--registry", registry.host(),
                              "--dest", "e2e/bad:v1"});
    ASSERT_EQ(push.exit_code, 0) << push.describe();
    harness::write_file(work / "image.tar", "previous archive");
    auto r = env.pull(registry.host() + "/e2e/bad:v1", {"--insecure-registry", registry.host(), "--output",
                                                        "docker-archive:" + (work / "image.tar").string()});
    EXPECT_EQ(r.exit_code, kIntegrity) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "diff_id")) << r.err;
    EXPECT_EQ(harness::read_file(work / "image.tar"), "previous archive");
    EXPECT_EQ(dir_names(work), std::vector<std::string>{"image.tar"});
}

}  // namespace
}  // namespace boxtool::conformance
