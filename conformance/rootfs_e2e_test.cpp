// --output rootfs:DIR against umoci: the same image unpacks to the same tree (paths, types, modes,
// sizes, content, link targets, and owners when run as root), for every layer compression.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "e2e_support.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/files.hpp"
#include "harness/gated_proxy.hpp"
#include "harness/images.hpp"
#include "harness/paths.hpp"
#include "harness/script_server.hpp"
#include "tree_snapshot.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;

bool is_root() {
    return ::geteuid() == 0;
}

// umoci --rootless keeps set-id bits and turns device nodes into empty files; boxtool --rootless
// drops both (and says so). Everything else must be equal.
std::vector<std::string> as_boxtool_rootless(std::vector<std::string> lines) {
    std::vector<std::string> out;
    for (auto line : lines) {
        if (line.find("\"path\": \"dev/null\"") != std::string::npos) continue;
        for (const char* setid : {"\"0o4755\"", "\"0o2755\""})
            if (auto at = line.find(setid); at != std::string::npos) line.replace(at, 8, "\"0o755\"");
        out.push_back(line);
    }
    return out;
}

struct Variant {
    std::string name;
    std::string compression;  // make_image --compression
    bool docker = false;
};

void PrintTo(const Variant& v, std::ostream* os) {
    *os << v.name;
}

class FeaturesImage : public ::testing::Test {
  protected:
    void SetUp() override { registry.start(); }

    // The image under test, pushed, and an OCI gzip twin with the same layer tars for umoci 0.4,
    // which reads neither zstd layers nor Docker media types.
    fs::path push_features(const Variant& v) {
        auto image = harness::make_and_push({.out = env.path("src"),
                                             .tag = "v1",
                                             .compression = v.compression,
                                             .docker = v.docker,
                                             .content = "features"},
                                            registry.host(), "e2e/features:v1");
        if (v.compression == "gzip" && !v.docker) return env.path("src");
        auto twin = harness::make_image(
            {.out = env.path("twin"), .tag = "v1", .compression = "gzip", .content = "features"});
        const auto& a = image.manifests.at(0).layers;
        const auto& b = twin.manifests.at(0).layers;
        EXPECT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) EXPECT_EQ(a[i].diff_id, b[i].diff_id);
        return env.path("twin");
    }

    RunResult pull_rootfs(const fs::path& out, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--insecure-registry", registry.host(), "--output",
                                         "rootfs:" + out.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return env.pull(registry.host() + "/e2e/features:v1", args);
    }

    std::vector<std::string> umoci_rootfs(const fs::path& layout, bool rootless, bool owners) {
        std::vector<std::string> argv = {"umoci", "unpack"};
        if (rootless) argv.push_back("--rootless");
        argv.insert(argv.end(), {"--image", layout.string() + ":v1", env.path("bundle").string()});
        auto r = harness::run(argv);
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        return tree_snapshot(env.path("bundle") / "rootfs", owners);
    }

    harness::RegistryServer registry;
    CliEnv env;
};

class RootfsMatchesUmoci : public FeaturesImage, public ::testing::WithParamInterface<Variant> {};

TEST_P(RootfsMatchesUmoci, SameTreeAsUmociUnpack) {
    fs::path umoci_layout = push_features(GetParam());
    fs::path out = env.path("rootfs");
    auto r = pull_rootfs(out);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Output"), "rootfs:" + out.string());
    auto ours = tree_snapshot(out, is_root());
    auto theirs = umoci_rootfs(umoci_layout, !is_root(), is_root());
    if (!is_root()) theirs = as_boxtool_rootless(theirs);
    EXPECT_GT(ours.size(), 30u);
    auto diff = snapshot_diff(ours, theirs);
    EXPECT_TRUE(diff.empty()) << "boxtool (-) and umoci (+) differ:\n"
                              << [&] {
                                     std::string s;
                                     for (const auto& l : diff) s += l + "\n";
                                     return s;
                                 }();
    // The root takes the layers' "./" entry (mode 0751), as umoci's does.
    EXPECT_EQ(fs::status(out).permissions(), fs::status(env.path("bundle") / "rootfs").permissions());
    EXPECT_EQ(fs::status(out).permissions(), static_cast<fs::perms>(0751));
    // What the features layers exercise, checked directly too.
    EXPECT_FALSE(fs::exists(out / "del/gone"));  // whiteout
    EXPECT_FALSE(fs::exists(out / "opq/a"));     // opaque directory
    EXPECT_TRUE(fs::exists(out / "opq/new"));    // ... keeps its own layer's entries
    EXPECT_EQ(harness::read_file(out / "usr/lib/libnew.so"), "written through the lib symlink");
    EXPECT_EQ(fs::hard_link_count(out / "etc/hosts"), 2u);         // hard link across layers
    EXPECT_EQ(fs::read_symlink(out / "abs-hosts"), "/etc/hosts");  // stored, never followed
    auto labelled = std::find_if(ours.begin(), ours.end(), [](const std::string& l) {
        return l.find("\"data/labelled\"") != std::string::npos;
    });
    ASSERT_NE(labelled, ours.end());
    EXPECT_NE(labelled->find("\"user.boxtool\": \"68656c6c6f\""), std::string::npos) << *labelled;  // xattr
    EXPECT_TRUE(ingest_leftovers(env.store()).empty());
}

INSTANTIATE_TEST_SUITE_P(Compressions, RootfsMatchesUmoci,
                         ::testing::Values(Variant{"gzip", "gzip"}, Variant{"zstd", "zstd"},
                                           Variant{"uncompressed", "none"}, Variant{"all_three", "cycle"},
                                           Variant{"docker_media_types", "mixed", true}),
                         [](const auto& param_info) { return param_info.param.name; });

class RootfsOutput : public FeaturesImage {};

TEST_F(RootfsOutput, RootlessSkipsOwnershipDevicesAndSetIdAndSaysSo) {
    fs::path umoci_layout = push_features({"cycle", "cycle"});
    fs::path out = env.path("rootfs");
    auto r = pull_rootfs(out, {"--rootless"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "warning: rootless: skipped 1 device node(s): /dev/null")) << r.err;
    EXPECT_TRUE(contains_icase(r.err, "set-user-ID/set-group-ID bits from /bin/sgid, /bin/tool")) << r.err;
    EXPECT_FALSE(fs::exists(fs::symlink_status(out / "dev/null")));
    auto perms = fs::status(out / "bin/tool").permissions();
    EXPECT_EQ(perms & (fs::perms::set_uid | fs::perms::set_gid), fs::perms::none);
    auto theirs = as_boxtool_rootless(umoci_rootfs(umoci_layout, true, false));
    auto diff = snapshot_diff(tree_snapshot(out), theirs);
    EXPECT_TRUE(diff.empty()) << diff.size() << " differences:\n"
                              << [&] {
                                     std::string s;
                                     for (const auto& l : diff) s += l + "\n";
                                     return s;
                                 }();
}

TEST_F(RootfsOutput, NonEmptyTargetIsRefusedAndLeftAsItWas) {
    push_features({"gzip", "gzip"});
    fs::path out = env.path("work") / "rootfs";
    fs::create_directories(out);
    harness::write_file(out / "precious.txt", "mine");
    auto before = dir_names(env.path("work"));
    auto r = pull_rootfs(out);
    EXPECT_EQ(r.exit_code, kFailure) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "not empty")) << r.err;
    EXPECT_EQ(harness::read_file(out / "precious.txt"), "mine");
    EXPECT_EQ(dir_names(out), std::vector<std::string>{"precious.txt"});
    EXPECT_EQ(dir_names(env.path("work")), before);
}

TEST_F(RootfsOutput, EmptyTargetDirectoryIsFilled) {
    push_features({"gzip", "gzip"});
    fs::path out = env.path("work") / "rootfs";
    fs::create_directories(out);
    auto r = pull_rootfs(out);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(harness::read_file(out / "etc/hosts"), "127.0.0.1 localhost changed\n");
    EXPECT_EQ(dir_names(env.path("work")), std::vector<std::string>{"rootfs"});  // no temporary left beside
}

// Streaming: a proxy holds back the last layer; meanwhile the layers before it must already be
// unpacked in the private directory beside the target, and nothing is published yet.
TEST(RootfsStreaming, EarlierLayersAreUnpackedWhileALaterOneDownloads) {
    harness::RegistryServer registry;
    registry.start();
    CliEnv env;
    constexpr std::uint64_t kLayerSize = 256 * 1024;
    auto image =
        harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 4, .layer_size = kLayerSize},
                               registry.host(), "e2e/stream:v1");
    const std::string held = image.manifests.at(0).layers.back().digest;
    harness::GatedProxy proxy(registry.url(), "/blobs/" + held);
    const std::string host = proxy.host();
    const fs::path work = env.path("work");
    fs::create_directories(work);

    RunResult result;
    std::thread pull([&] {
        result = env.pull(host + "/e2e/stream:v1",
                          {"--insecure-registry", host, "--output", "rootfs:" + (work / "rootfs").string()});
    });
    // The third layer's file, complete, in the private directory: polled, not timed.
    bool unpacked_before_last = false;
    for (int i = 0; i < 600 && !unpacked_before_last; ++i) {
        std::error_code ec;
        for (auto it = fs::directory_iterator(work, ec); !ec && it != fs::directory_iterator();
             it.increment(ec)) {
            fs::path layer2 = it->path() / "data" / "layer-2.bin";
            if (it->path().filename().string().rfind(".rootfs.boxtool-", 0) == 0 &&
                fs::file_size(layer2, ec) == kLayerSize && !ec)
                unpacked_before_last = true;
        }
        if (!unpacked_before_last) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_FALSE(fs::exists(work / "rootfs"));  // not published while a layer is missing
    proxy.open();
    pull.join();
    EXPECT_TRUE(unpacked_before_last) << "layers 1-3 were not unpacked while layer 4 was held back";
    ASSERT_EQ(result.exit_code, kOk) << result.describe();
    EXPECT_EQ(fs::file_size(work / "rootfs" / "data" / "layer-3.bin"), kLayerSize);
}

// A layer is unpacked as its bytes arrive, not once its whole blob is stored, through a proxy
// slow enough that the download lasts seconds.
TEST(RootfsStreaming, ALayerIsUnpackedWhileItIsStillDownloading) {
    harness::RegistryServer registry;
    registry.start();
    CliEnv env;
    constexpr std::uint64_t kLayerSize = 3 * 1024 * 1024;
    auto image = harness::make_and_push({.out = env.path("src"),
                                         .tag = "v1",
                                         .layers = 1,
                                         .layer_size = kLayerSize,
                                         .compression = "none",
                                         .random = true},
                                        registry.host(), "e2e/follow:v1");
    const std::string digest = image.manifests.at(0).layers.at(0).digest;
    const fs::path stored = env.store() / "blobs" / "sha256" / digest.substr(7);
    harness::FaultProxy proxy({.upstream = registry.url(), .throttle = 1024 * 1024});
    proxy.start();
    const fs::path work = env.path("work");
    fs::create_directories(work);

    RunResult result;
    std::thread pull([&] {
        result = env.pull(proxy.host() + "/e2e/follow:v1", {"--insecure-registry", proxy.host(), "--output",
                                                            "rootfs:" + (work / "rootfs").string()});
    });
    // Part of the layer's file in the private directory while its blob is not in the store yet.
    std::uint64_t seen = 0;
    for (int i = 0; i < 1200 && seen == 0 && !fs::exists(stored); ++i) {
        std::error_code ec;
        for (auto it = fs::directory_iterator(work, ec); !ec && it != fs::directory_iterator();
             it.increment(ec)) {
            if (it->path().filename().string().rfind(".rootfs.boxtool-", 0) != 0) continue;
            std::uint64_t size = fs::file_size(it->path() / "data" / "layer-0.bin", ec);
            if (!ec && size > 0 && !fs::exists(stored)) seen = size;
        }
        if (seen == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pull.join();
    ASSERT_EQ(result.exit_code, kOk) << result.describe();
    EXPECT_GT(seen, 0u) << "nothing of the layer was unpacked before its blob was stored";
    EXPECT_LT(seen, kLayerSize);
    EXPECT_EQ(fs::file_size(work / "rootfs" / "data" / "layer-0.bin"), kLayerSize);
    EXPECT_TRUE(ingest_leftovers(env.store()).empty());
}

// How often the pull began unpacking `digest` (layer-unpacking events of --progress json).
int unpack_starts(const RunResult& r, const std::string& digest) {
    int n = 0;
    const std::string text = r.out + r.err;
    for (std::size_t at = 0; (at = text.find("\"event\":\"layer-unpacking\"", at)) != std::string::npos;
         ++at) {
        std::size_t end = text.find('\n', at);
        if (text.substr(at, end - at).find(digest) != std::string::npos) ++n;
    }
    return n;
}

class RootfsFollowing : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"),
                                        .tag = "v1",
                                        .layers = 2,
                                        .layer_size = 1024 * 1024,
                                        .compression = "gzip",
                                        .random = true},
                                       registry.host(), "e2e/faults:v1");
        first = image.manifests.at(0).layers.at(0).digest;
        // The tree a pull without faults makes (its own store: nothing shared with the pull under test).
        CliEnv clean;
        auto r = clean.pull(
            registry.host() + "/e2e/faults:v1",
            {"--insecure-registry", registry.host(), "--output", "rootfs:" + clean.path("tree").string()});
        EXPECT_EQ(r.exit_code, kOk) << r.describe();
        expected = tree_snapshot(clean.path("tree"));
    }
    RunResult pull_through(harness::FaultProxyOptions options) {
        options.upstream = registry.url();
        options.throttle = 2 * 1024 * 1024;  // the unpack follows the first attempt, not only a retry
        proxy = std::make_unique<harness::FaultProxy>(std::move(options));
        proxy->start();
        return env.pull(proxy->host() + "/e2e/faults:v1",
                        {"--insecure-registry", proxy->host(), "--progress", "json", "--output",
                         "rootfs:" + env.path("tree").string()});
    }
    void expect_tree() {
        auto diff = snapshot_diff(tree_snapshot(env.path("tree")), expected);
        EXPECT_TRUE(diff.empty()) << diff.size()
                                  << " lines differ from a pull without faults, first: " << diff.front();
        EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
        EXPECT_TRUE(ingest_leftovers(env.store()).empty());
        std::vector<std::string> private_dirs;
        for (const auto& e : fs::directory_iterator(env.root()))
            if (e.path().filename().string().rfind(".tree.boxtool-", 0) == 0)
                private_dirs.push_back(e.path());
        EXPECT_TRUE(private_dirs.empty()) << private_dirs.front();
    }

    harness::RegistryServer registry;
    CliEnv env;
    harness::ImageInfo image;
    std::string first;
    std::vector<std::string> expected;
    std::unique_ptr<harness::FaultProxy> proxy;
};

// A byte flipped in transit: what was unpacked of the first attempt is thrown away, and the
// layers are unpacked again from verified blobs once the download is retried.
TEST_F(RootfsFollowing, ADamagedDownloadIsUnpackedAgainFromTheVerifiedCopy) {
    auto r = pull_through({.corrupt = {"GET /blobs/" + first + "$:1"}});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(proxy->count_requests("GET", "/blobs/" + first + "$"), 2);
    EXPECT_EQ(unpack_starts(r, first), 2)
        << "the damaged first attempt was not unpacked, then unpacked again";
    expect_tree();
}

// A connection reset mid-layer: the download resumes with a Range and the unpack reads on
// through the same file, without starting over.
TEST_F(RootfsFollowing, AResumedDownloadIsFollowedWithoutStartingOver) {
    auto r = pull_through({.reset = {"GET /blobs/" + first + "$:1"}});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    int resumed = 0;
    for (const auto& req : proxy->requests()) resumed += req.range_start > 0 ? 1 : 0;
    EXPECT_EQ(resumed, 1);
    EXPECT_EQ(unpack_starts(r, first), 1);
    expect_tree();
}

// A registry that answers a resume with the whole blob (200): the bytes already held are skipped.
TEST_F(RootfsFollowing, AResumeAnsweredWithTheWholeBlobIsFollowedToo) {
    auto r = pull_through({.reset = {"GET /blobs/" + first + "$:1"}, .strip_range = true});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(proxy->count_requests("GET", "/blobs/" + first + "$"), 2);
    EXPECT_EQ(unpack_starts(r, first), 1);
    expect_tree();
}

}  // namespace
}  // namespace boxtool::conformance
