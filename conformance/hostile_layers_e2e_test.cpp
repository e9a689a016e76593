// A corpus of hostile layers (tools/fixtures/layer_contents.py hostile:CASE), each pulled with
// --output rootfs:DIR: every one is refused with a clear error or contained inside DIR, and a
// sentinel directory outside DIR, which the layers aim at, is proven untouched. A refusal leaves
// nothing: no DIR, no temporary directory beside it.
#include <gtest/gtest.h>

#include <functional>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"
#include "harness/paths.hpp"
#include "tree_snapshot.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;

struct Outcome {
    const RunResult& run;
    fs::path out;       // the rootfs target
    fs::path sentinel;  // the directory the layers aim at
    fs::path inside(const fs::path& absolute) const { return out / absolute.relative_path(); }
};

struct HostileCase {
    std::string name;     // make_image --content hostile:NAME
    int exit_code;        // kOk: contained; kIntegrity: refused
    std::string message;  // in stderr (refused) or expected warning (contained), case-insensitive
    std::function<void(const Outcome&)> check = {};  // what "contained" means for this case
    std::vector<std::string> args = {};
};

// gtest prints a parameter that fails; the case name says it all.
void PrintTo(const HostileCase& c, std::ostream* os) {
    *os << c.name;
}

void lands_inside(const Outcome& o) {
    EXPECT_TRUE(fs::is_symlink(o.out / "evil"));
    // Followed inside the root: the write lands under DIR, at the sentinel's path.
    EXPECT_EQ(harness::read_file(o.inside(o.sentinel) / "pwned"), "x");
}

const std::vector<HostileCase>& corpus() {
    static const std::vector<HostileCase> cases = {
        {"path-traversal", kIntegrity, "contains \"..\""},
        {"path-traversal-nested", kIntegrity, "contains \"..\""},
        {"absolute-path", kIntegrity, "is an absolute path"},
        {"symlink-escape-across-layers", kOk, "", lands_inside},
        {"symlink-absolute-across-layers", kOk, "", lands_inside},
        {"symlink-same-layer", kOk, "", lands_inside},
        {"symlink-replaced-by-file", kOk, "",
         [](const Outcome& o) {
             EXPECT_FALSE(fs::is_symlink(o.out / "t"));
             EXPECT_EQ(harness::read_file(o.out / "t"), "overwritten");
         }},
        {"symlink-loop", kIntegrity, "too many levels of symbolic links"},
        {"hardlink-traversal", kIntegrity, "contains \"..\""},
        {"hardlink-absolute", kIntegrity, "is an absolute path"},
        {"hardlink-through-symlink", kIntegrity, "does not exist in the root"},
        {"whiteout-dotdot", kIntegrity, "whiteout that names no file"},
        {"whiteout-traversal", kIntegrity, "contains \"..\""},
        {"whiteout-through-symlink", kOk, "",
         [](const Outcome& o) { EXPECT_TRUE(fs::is_symlink(o.out / "s")); }},
        {"opaque-through-symlink", kOk, "",
         [](const Outcome& o) { EXPECT_TRUE(fs::is_symlink(o.out / "s")); }},
        {"device-node", kOk, "skipped 1 device node(s): /dev/sda",
         [](const Outcome& o) { EXPECT_FALSE(fs::exists(fs::symlink_status(o.out / "dev/sda"))); }},
        {"setuid-rootless", kOk, "removed set-user-ID/set-group-ID bits from /bin/su",
         [](const Outcome& o) {
             auto perms = fs::status(o.out / "bin/su").permissions();
             EXPECT_EQ(perms & (fs::perms::set_uid | fs::perms::set_gid), fs::perms::none);
         }},
        {"huge-declared-size", kIntegrity, "declares 1099511627776 bytes"},
        {"gzip-bomb", kIntegrity, "more than the unpack limit", {}, {"--unpack-max-bytes", "16M"}},
        {"zstd-bomb", kIntegrity, "more than the unpack limit", {}, {"--unpack-max-bytes", "16M"}},
        {"trailing-zeros-bomb",
         kIntegrity,
         "decompress to more than 16777216 bytes",
         {},
         {"--unpack-max-bytes", "16M"}},
        {"entry-count-bomb", kIntegrity, "more than 1000 entries", {}, {"--unpack-max-entries", "1000"}},
        {"long-component", kIntegrity, "longer than the 255"},
        {"long-path", kIntegrity, "longer than the 4095"},
        {"duplicate-entries", kOk, "",
         [](const Outcome& o) {
             EXPECT_EQ(harness::read_file(o.out / "dup"), "second");  // the last entry wins, as in tar
             EXPECT_EQ(harness::read_file(o.out / "dupdir"), "a file now");
         }},
        {"file-as-parent", kIntegrity, "is used as a directory"},
        {"media-type-mismatch", kIntegrity, "is declared as gzip"},
        {"diff-id-mismatch", kIntegrity, "not the image config's diff_id"},
    };
    return cases;
}

class HostileLayer : public ::testing::TestWithParam<HostileCase> {
  protected:
    void SetUp() override {
        registry.start();
        fs::create_directories(sentinel / "sub");
        harness::write_file(sentinel / "keep.txt", "keep");
        harness::write_file(sentinel / "sub" / "file", "untouched");
        fs::create_directories(work);
    }
    // Pushed byte for byte: skopeo would refuse (or fix) some of these layers on the way.
    void push(const std::string& name) {
        harness::make_image(
            {.out = env.path("src"), .tag = "v1", .content = "hostile:" + name, .sentinel = sentinel});
        auto r = harness::run({harness::python().string(),
                               harness::fixture_script("tools/fixtures/push_layout.py").string(), "--layout",
                               env.path("src").string(), "--tag", "v1", "--registry", registry.host(),
                               "--dest", "e2e/hostile:v1"});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
    }

    harness::RegistryServer registry;
    CliEnv env;
    fs::path sentinel = env.path("sentinel");
    fs::path work = env.path("work");
};

TEST_P(HostileLayer, RefusedOrContainedAndSentinelUntouched) {
    const HostileCase& c = GetParam();
    ASSERT_NO_FATAL_FAILURE(push(c.name));
    auto sentinel_before = tree_snapshot(sentinel, true);
    fs::path out = work / "rootfs";
    std::vector<std::string> args = {"--insecure-registry", registry.host(), "--output",
                                     "rootfs:" + out.string(), "--rootless"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = env.pull(registry.host() + "/e2e/hostile:v1", args);

    EXPECT_EQ(r.exit_code, c.exit_code) << r.describe();
    if (!c.message.empty()) {
        EXPECT_TRUE(contains_icase(r.err, c.message)) << r.describe();
    }
    if (c.exit_code == kOk) {
        if (c.check) c.check(Outcome{r, out, sentinel});
        EXPECT_EQ(dir_names(work), std::vector<std::string>{"rootfs"});
    } else {
        // Which image, and nothing on disk: no DIR, no temporary directory beside it.
        EXPECT_TRUE(contains_icase(r.err, "e2e/hostile")) << r.err;
        EXPECT_FALSE(fs::exists(fs::symlink_status(out)));
        EXPECT_TRUE(dir_names(work).empty());
    }
    auto diff = snapshot_diff(sentinel_before, tree_snapshot(sentinel, true));
    EXPECT_TRUE(diff.empty()) << "the sentinel changed: " << diff.front();
    EXPECT_TRUE(stray_ingest_files(env.store()).empty());
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileLayer, ::testing::ValuesIn(corpus()), [](const auto& param_info) {
    std::string name = param_info.param.name;
    for (char& ch : name)
        if (ch == '-') ch = '_';
    return name;
});

TEST(HostileCorpus, HasAtLeastFifteenCases) {
    EXPECT_GE(corpus().size(), 15u);
}

}  // namespace
}  // namespace boxtool::conformance

namespace boxtool::conformance {
namespace {

// A refused first layer stops the downloads not yet started (one at a time here): the last of
// four 32 MiB layers is never fetched. The margin is a whole layer's download.
TEST(HostileEarlyStop, RefusedLayerStopsLaterDownloads) {
    harness::RegistryServer registry;
    registry.start();
    CliEnv env;
    auto image = harness::make_image({.out = env.path("src"),
                                      .tag = "v1",
                                      .compression = "none",
                                      .content = "hostile:path-traversal-then-more",
                                      .sentinel = env.path("sentinel")});
    auto push = harness::run({harness::python().string(),
                              harness::fixture_script("tools/fixtures/push_layout.py").string(), "--layout",
                              env.path("src").string(), "--tag", "v1", "--registry", registry.host(),
                              "--dest", "e2e/hostile:v1"});
    ASSERT_EQ(push.exit_code, 0) << push.describe();
    auto r = env.pull(registry.host() + "/e2e/hostile:v1",
                      {"--insecure-registry", registry.host(), "--output",
                       "rootfs:" + env.path("rootfs").string(), "--jobs", "1"});
    EXPECT_EQ(r.exit_code, kIntegrity) << r.describe();
    EXPECT_TRUE(contains_icase(r.err, "contains \"..\"")) << r.err;
    const std::string last = image.manifests.at(0).layers.back().digest;
    EXPECT_FALSE(fs::exists(env.store() / "blobs" / "sha256" / last.substr(7)));
    EXPECT_TRUE(stray_ingest_files(env.store()).empty());
}

}  // namespace
}  // namespace boxtool::conformance
