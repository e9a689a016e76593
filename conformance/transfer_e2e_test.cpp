// boxtool push, copy and tags against real registry:2 instances, with skopeo and umoci as the
// independent cross-check: an image pushed by boxtool is read back by skopeo and unpacked by umoci;
// one pushed by skopeo is copied by boxtool. Blobs the destination has are skipped, and a copy
// within one registry mounts (counted in the registry's log); a push whose blob uploads fail
// leaves no tag; archives are sources; tag lists are followed across Link pages.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "e2e_support.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/token_server.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;

Poco::JSON::Object::Ptr json(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

RunResult skopeo(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"skopeo"};
    argv.insert(argv.end(), args.begin(), args.end());
    return harness::run(argv, {.timeout = std::chrono::minutes(2)});
}

// The digest skopeo computes for what a reference names (the raw manifest's sha256).
std::string skopeo_digest(const std::string& ref, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"inspect", "--raw", "--tls-verify=false"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(ref);
    auto raw = skopeo(args);
    if (raw.exit_code != 0) return "skopeo failed: " + raw.describe();
    auto hash = harness::run({"sha256sum"}, {.stdin_text = raw.out});
    return "sha256:" + hash.out.substr(0, 64);
}

class Transfer : public ::testing::Test {
  protected:
    CliEnv env;
    harness::RegistryServer registry;

    void SetUp() override { registry.start(); }

    RunResult boxtool(std::vector<std::string> args, const std::vector<std::string>& hosts) {
        for (const auto& h : hosts) args.insert(args.end(), {"--insecure-registry", h});
        args.insert(args.end(), {"--store", env.store().string()});
        return env.boxtool(args);
    }
};

TEST_F(Transfer, PushedImagesAreReadBackBySkopeoAndUmoci) {
    auto image = harness::make_image({.out = env.path("src"),
                                      .tag = "v1",
                                      .platforms = {"linux/amd64", "linux/arm64"},
                                      .index = true,
                                      .layers = 3});
    // --all: the index and every platform, byte for byte.
    auto all =
        boxtool({"push", "oci:" + image.layout.string() + ":v1", registry.host() + "/e2e/multi:v1", "--all"},
                {registry.host()});
    ASSERT_EQ(all.exit_code, kOk) << all.describe();
    EXPECT_EQ(field(all.out, "Digest").value_or(""), image.digest);
    EXPECT_EQ(skopeo_digest("docker://" + registry.host() + "/e2e/multi:v1"), image.digest);
    for (const auto& m : image.manifests)
        EXPECT_EQ(skopeo_digest("docker://" + registry.host() + "/e2e/multi@" + m.digest), m.digest);

    // Without --all: this platform's image only, tagged.
    auto one = boxtool({"push", "oci:" + image.layout.string() + ":v1",
                        "docker://" + registry.host() + "/e2e/one:v1", "--platform", "linux/arm64"},
                       {registry.host()});
    ASSERT_EQ(one.exit_code, kOk) << one.describe();
    EXPECT_EQ(skopeo_digest("docker://" + registry.host() + "/e2e/one:v1"),
              image.manifest_for("linux/arm64").digest);

    // skopeo copies it back out and umoci unpacks it.
    auto back = skopeo({"copy", "--src-tls-verify=false", "docker://" + registry.host() + "/e2e/one:v1",
                        "oci:" + env.path("back").string() + ":v1"});
    ASSERT_EQ(back.exit_code, 0) << back.describe();
    auto unpack = harness::run({"umoci", "unpack", "--rootless", "--image", env.path("back").string() + ":v1",
                                env.path("bundle").string()});
    EXPECT_EQ(unpack.exit_code, 0) << unpack.describe();
    EXPECT_TRUE(fs::is_directory(env.path("bundle") / "rootfs"));
}

TEST_F(Transfer, BlobsTheRegistryHasAreSkippedAndCopiesWithinARegistryMount) {
    // Seeded by skopeo; boxtool copies it.
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 3}, registry.host(),
                                        "e2e/src:v1");
    const int blobs = 1 + 3;
    auto copy = boxtool({"copy", "docker://" + registry.host() + "/e2e/src:v1",
                         "docker://" + registry.host() + "/e2e/dst:v1"},
                        {registry.host()});
    ASSERT_EQ(copy.exit_code, kOk) << copy.describe();
    EXPECT_EQ(registry.count_requests("POST", "^/v2/e2e/dst/blobs/uploads/\\?.*mount=.*from=e2e"), blobs);
    EXPECT_EQ(registry.count_requests("PUT", "^/v2/e2e/dst/blobs/uploads/"), 0)
        << "a mounted blob is not uploaded";
    EXPECT_EQ(registry.count_requests("GET", "^/v2/e2e/src/blobs/"), 0) << "nor downloaded";
    EXPECT_EQ(skopeo_digest("docker://" + registry.host() + "/e2e/dst:v1"), image.digest);

    // Pushing what the repository already has: one HEAD per blob, no upload at all.
    int posts = registry.count_requests("POST", "^/v2/e2e/dst/blobs/uploads/");
    int heads = registry.count_requests("HEAD", "^/v2/e2e/dst/blobs/sha256:");
    auto again = boxtool({"push", "oci:" + image.layout.string() + ":v1", registry.host() + "/e2e/dst:v2"},
                         {registry.host()});
    ASSERT_EQ(again.exit_code, kOk) << again.describe();
    EXPECT_EQ(registry.count_requests("POST", "^/v2/e2e/dst/blobs/uploads/"), posts);
    EXPECT_EQ(registry.count_requests("HEAD", "^/v2/e2e/dst/blobs/sha256:") - heads, blobs);
    EXPECT_NE(again.err.find("0 blob(s) uploaded"), std::string::npos) << again.describe();
    EXPECT_EQ(skopeo_digest("docker://" + registry.host() + "/e2e/dst:v2"), image.digest);
}

TEST_F(Transfer, CopyAcrossRegistriesWithSeparateCredentials) {
    harness::RegistryServer source({.users = {{"reader", "Src-Pa55-3a9e"}}});
    harness::RegistryServer target({.users = {{"writer", "Dst-Pa55-71bd"}}});
    source.start();
    target.start();
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, source.host(),
                                        "team/app:v1", harness::Credentials{"reader", "Src-Pa55-3a9e"});
    auto copy = boxtool(
        {"copy", "docker://" + source.host() + "/team/app:v1", "docker://" + target.host() + "/mirror/app:v1",
         "--src-creds", "reader:Src-Pa55-3a9e", "--dest-creds", "writer:Dst-Pa55-71bd"},
        {source.host(), target.host()});
    ASSERT_EQ(copy.exit_code, kOk) << copy.describe();
    EXPECT_EQ(target.count_requests("POST", "mount="), 0) << "no mount across registries";
    EXPECT_EQ(
        skopeo_digest("docker://" + target.host() + "/mirror/app:v1", {"--creds", "writer:Dst-Pa55-71bd"}),
        image.digest);
    EXPECT_EQ(copy.out.find("Pa55"), std::string::npos);
    EXPECT_EQ(copy.err.find("Pa55"), std::string::npos);

    // The source's password is not the destination's: refused with exit 4, nothing tagged.
    auto wrong = boxtool(
        {"copy", "docker://" + source.host() + "/team/app:v1", "docker://" + target.host() + "/mirror/app:v2",
         "--src-creds", "reader:Src-Pa55-3a9e", "--dest-creds", "reader:Src-Pa55-3a9e"},
        {source.host(), target.host()});
    EXPECT_EQ(wrong.exit_code, kUnauthorized) << wrong.describe();
}

TEST_F(Transfer, AFailedPushLeavesNoTag) {
    auto image = harness::make_image({.out = env.path("src"), .tag = "v1", .layers = 3});
    // Every blob upload is refused (the POSTs get through, the PUTs that carry the bytes fail).
    harness::FaultProxy proxy(
        {.upstream = registry.url(), .fail = {"PUT /v2/e2e/broken/blobs/uploads/:500:*"}});
    proxy.start();
    auto push = boxtool(
        {"push", "oci:" + image.layout.string() + ":v1", proxy.host() + "/e2e/broken:v1", "--retries", "1"},
        {proxy.host()});
    EXPECT_EQ(push.exit_code, kNetwork) << push.describe();
    EXPECT_EQ(proxy.count_requests("PUT", "/manifests/"), 0) << "the manifest must not be written";
    auto tag = harness::http_request("GET", registry.host(), "/v2/e2e/broken/manifests/v1",
                                     {{"Accept", harness::kAcceptManifests}});
    EXPECT_EQ(tag.status, 404);

    // A damaged source blob is refused before the upload is committed.
    auto layer = image.manifests.at(0).layers.at(0).digest;
    auto file = image.layout / "blobs" / "sha256" / layer.substr(7);
    std::string bytes = harness::read_file(file);
    bytes[bytes.size() / 2] ^= 0x55;
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    harness::write_file(file, bytes);
    auto damaged =
        boxtool({"push", "oci:" + image.layout.string() + ":v1", registry.host() + "/e2e/damaged:v1"},
                {registry.host()});
    EXPECT_EQ(damaged.exit_code, kIntegrity) << damaged.describe();
    EXPECT_EQ(harness::http_request("GET", registry.host(), "/v2/e2e/damaged/manifests/v1",
                                    {{"Accept", harness::kAcceptManifests}})
                  .status,
              404);
    EXPECT_EQ(harness::http_request("HEAD", registry.host(), "/v2/e2e/damaged/blobs/" + layer).status, 404);
}

TEST_F(Transfer, ArchivesAndLayoutsAsSourcesAndDestinations) {
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                        "e2e/app:v1");
    const auto& manifest = image.manifests.at(0);
    // Registry -> oci:, oci-archive:, docker-archive: (read by skopeo).
    auto to_oci =
        boxtool({"copy", registry.host() + "/e2e/app:v1", "oci:" + env.path("layout").string() + ":copied"},
                {registry.host()});
    ASSERT_EQ(to_oci.exit_code, kOk) << to_oci.describe();
    EXPECT_EQ(skopeo_digest("oci:" + env.path("layout").string() + ":copied"), manifest.digest);
    auto to_oci_archive =
        boxtool({"copy", registry.host() + "/e2e/app:v1", "oci-archive:" + env.path("app-oci.tar").string()},
                {registry.host()});
    ASSERT_EQ(to_oci_archive.exit_code, kOk) << to_oci_archive.describe();
    EXPECT_EQ(skopeo({"inspect", "oci-archive:" + env.path("app-oci.tar").string()}).exit_code, 0);
    auto to_docker = boxtool({"copy", registry.host() + "/e2e/app:v1",
                              "docker-archive:" + env.path("app.tar").string() + ":e2e/app:v1"},
                             {registry.host()});
    ASSERT_EQ(to_docker.exit_code, kOk) << to_docker.describe();
    auto inspected = skopeo({"inspect", "docker-archive:" + env.path("app.tar").string()});
    ASSERT_EQ(inspected.exit_code, 0) << inspected.describe();

    // docker-archive: and oci-archive: as push sources; skopeo and umoci read the results.
    auto from_docker = boxtool(
        {"push", "docker-archive:" + env.path("app.tar").string(), registry.host() + "/e2e/from-docker:v1"},
        {registry.host()});
    ASSERT_EQ(from_docker.exit_code, kOk) << from_docker.describe();
    auto raw = skopeo(
        {"inspect", "--raw", "--tls-verify=false", "docker://" + registry.host() + "/e2e/from-docker:v1"});
    ASSERT_EQ(raw.exit_code, 0) << raw.describe();
    // The config is the same bytes, so the image's identity (its config digest) is kept.
    EXPECT_EQ(json(raw.out)->getObject("config")->getValue<std::string>("digest"), manifest.config.digest);
    auto back =
        skopeo({"copy", "--src-tls-verify=false", "docker://" + registry.host() + "/e2e/from-docker:v1",
                "oci:" + env.path("back").string() + ":v1"});
    ASSERT_EQ(back.exit_code, 0) << back.describe();
    auto unpack = harness::run({"umoci", "unpack", "--rootless", "--image", env.path("back").string() + ":v1",
                                env.path("bundle").string()});
    EXPECT_EQ(unpack.exit_code, 0) << unpack.describe();

    auto from_oci_archive = boxtool(
        {"push", "oci-archive:" + env.path("app-oci.tar").string(), registry.host() + "/e2e/from-oci:v1"},
        {registry.host()});
    ASSERT_EQ(from_oci_archive.exit_code, kOk) << from_oci_archive.describe();
    EXPECT_EQ(skopeo_digest("docker://" + registry.host() + "/e2e/from-oci:v1"), manifest.digest);

    // A source that does not exist, or a layout without that tag: usage errors, nothing written.
    EXPECT_EQ(boxtool({"push", "oci:" + env.path("nothing").string() + ":v1", registry.host() + "/e2e/x:v1"},
                      {registry.host()})
                  .exit_code,
              kUsage);
    EXPECT_EQ(boxtool({"push", "oci:" + image.layout.string() + ":nope", registry.host() + "/e2e/x:v1"},
                      {registry.host()})
                  .exit_code,
              kUsage);
}

TEST_F(Transfer, TagsFollowLinkPagesAndChunkedPushesWithTokenScopes) {
    harness::Credentials admin{"seeder", "Admin-Pa55-0c4d"};
    harness::TokenServer tokens({.admin = admin});
    tokens.start();
    harness::RegistryServer secured({.token = tokens.registry_auth()});
    secured.start();
    auto image = harness::make_image(
        {.out = env.path("src"), .tag = "v1", .layers = 2, .layer_size = 20000, .compression = "none"});
    auto push = boxtool({"push", "oci:" + image.layout.string() + ":v1", secured.host() + "/e2e/app:v1",
                         "--chunk-size", "8192", "--creds", admin.username + ":" + admin.password},
                        {secured.host()});
    ASSERT_EQ(push.exit_code, kOk) << push.describe();
    EXPECT_GE(secured.count_requests("PATCH", "^/v2/e2e/app/blobs/uploads/"), 4)
        << "20 kB layers in 8 KiB chunks";
    EXPECT_EQ(skopeo_digest("docker://" + secured.host() + "/e2e/app:v1",
                            {"--creds", admin.username + ":" + admin.password}),
              image.digest);
    // A copy within the registry asks for push on the destination and pull on the mount source.
    auto copy = boxtool({"copy", secured.host() + "/e2e/app:v1", secured.host() + "/e2e/copy:v1", "--creds",
                         admin.username + ":" + admin.password},
                        {secured.host()});
    ASSERT_EQ(copy.exit_code, kOk) << copy.describe();
    bool push_scope = false, mount_scope = false;
    for (const auto& t : tokens.requests()) {
        bool dst = false, src = false;
        for (const auto& s : t.scopes) {
            dst = dst || s == "repository:e2e/copy:pull,push";
            src = src || s == "repository:e2e/app:pull";
        }
        push_scope = push_scope || dst;
        mount_scope = mount_scope || (dst && src);
    }
    EXPECT_TRUE(push_scope);
    EXPECT_TRUE(mount_scope);

    // Tags: every page, following Link (a front that pages by 2), and the registry's one page.
    for (const char* t : {"v2", "v3", "v4", "v5"}) {
        auto more =
            boxtool({"push", "oci:" + image.layout.string() + ":v1", registry.host() + "/e2e/app:" + t},
                    {registry.host()});
        ASSERT_EQ(more.exit_code, kOk) << more.describe();
    }
    harness::FaultProxy pages({.upstream = registry.url(), .paginate_tags = 2});
    pages.start();
    auto tags = boxtool({"tags", pages.host() + "/e2e/app"}, {pages.host()});
    ASSERT_EQ(tags.exit_code, kOk) << tags.describe();
    EXPECT_EQ(tags.out, "v2\nv3\nv4\nv5\n");
    EXPECT_EQ(pages.count_requests("GET", "/tags/list"), 2);
    auto direct = boxtool({"tags", registry.host() + "/e2e/app", "--json"}, {registry.host()});
    ASSERT_EQ(direct.exit_code, kOk) << direct.describe();
    EXPECT_EQ(json(direct.out)->getArray("tags")->size(), 4u);
    EXPECT_EQ(boxtool({"tags", registry.host() + "/e2e/none"}, {registry.host()}).exit_code, kNotFound);
}

}  // namespace
}  // namespace boxtool::conformance
