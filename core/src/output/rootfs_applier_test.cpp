// Layers built in memory with libarchive, applied with the same reader and applier the rootfs
// output uses: the OCI layer semantics and the refusals, without a registry.
#include "output/rootfs_applier.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "boxtool/error.hpp"
#include "boxtool/manifest.hpp"
#include "output/layer_reader.hpp"

namespace boxtool::output {
namespace {

namespace fs = std::filesystem;

struct Entry {
    std::string name;
    std::string data;
    unsigned type = AE_IFREG;
    unsigned mode = 0644;
    std::string link;  // symlink target or hard link target
    bool hardlink = false;
    std::int64_t uid = 0, gid = 0;
    std::int64_t mtime = 1704067200;
};

// The tar of `entries`, optionally compressed ("gzip", "zstd" or "").
std::string make_tar(const std::vector<Entry>& entries, const std::string& filter = "") {
    std::vector<char> buffer(8 << 20);
    std::size_t used = 0;
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (filter == "gzip") archive_write_add_filter_gzip(a);
    if (filter == "zstd") archive_write_add_filter_zstd(a);
    archive_write_open_memory(a, buffer.data(), buffer.size(), &used);
    for (const auto& e : entries) {
        archive_entry* ae = archive_entry_new();
        archive_entry_set_pathname(ae, e.name.c_str());
        archive_entry_set_filetype(ae, e.type);
        archive_entry_set_perm(ae, e.mode);
        archive_entry_set_mtime(ae, e.mtime, 0);
        archive_entry_set_uid(ae, e.uid);
        archive_entry_set_gid(ae, e.gid);
        if (e.hardlink) archive_entry_set_hardlink(ae, e.link.c_str());
        if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.link.c_str());
        archive_entry_set_size(
            ae, e.type == AE_IFREG && !e.hardlink ? static_cast<la_int64_t>(e.data.size()) : 0);
        archive_write_header(a, ae);
        if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
        archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return std::string(buffer.data(), used);
}

class ApplierTest : public ::testing::Test {
  protected:
    void SetUp() override {
        base = fs::temp_directory_path() / ("boxtool-applier-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(base);
        fs::create_directories(base / "root");
        fd = ::open((base / "root").c_str(), O_RDONLY | O_DIRECTORY);
    }
    void TearDown() override {
        ::close(fd);
        fs::remove_all(base);
    }
    // Writes the layer blob and applies it; `diff_id` defaults to the right one.
    void apply(RootfsApplier& applier, const std::vector<Entry>& entries, const std::string& filter = "",
               std::string_view media = media_type::kOciLayer, std::optional<Digest> diff_id = {},
               UnpackLimits limits = {}) {
        std::string tar = make_tar(entries);
        std::string blob = filter.empty() ? tar : make_tar(entries, filter);
        fs::path path = base / ("layer-" + std::to_string(layer++));
        std::ofstream(path, std::ios::binary) << blob;
        UnpackBudget budget(limits);
        DecompressedLayer stream(path, media, diff_id.value_or(digest_of(tar)), budget, "layer");
        LayerTarReader reader(stream, budget);
        applier.apply_layer(reader, "layer", [] {});
        stream.finish();
    }
    std::string read(const std::string& rel) {
        std::ifstream in(base / "root" / rel, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    fs::path base;
    int fd = -1;
    int layer = 0;
};

TEST_F(ApplierTest, WhiteoutsAndOpaqueDirectoriesHideLowerLayersOnly) {
    RootfsApplier applier(fd, true);
    apply(applier, {{"d/", "", AE_IFDIR, 0755}, {"d/a", "a"}, {"d/b", "b"}, {"gone", "x"}});
    apply(applier,
          {{"d/new", "new"}, {"d/.wh..wh..opq", ""}, {".wh.gone", ""}, {"kept", "k"}, {".wh.kept", ""}},
          "gzip", media_type::kOciLayerGzip);
    applier.finish();
    EXPECT_FALSE(fs::exists(base / "root/d/a"));
    EXPECT_FALSE(fs::exists(base / "root/gone"));
    EXPECT_EQ(read("d/new"), "new");  // same layer as the opaque marker, though before it
    EXPECT_EQ(read("kept"), "k");     // a whiteout does not hide its own layer's file
}

TEST_F(ApplierTest, HardLinksSymlinksAndWritesThroughSymlinksStayInside) {
    RootfsApplier applier(fd, true);
    apply(applier, {{"usr/", "", AE_IFDIR, 0755},
                    {"usr/lib/", "", AE_IFDIR, 0755},
                    {"lib", "", AE_IFLNK, 0777, "usr/lib"},
                    {"escape", "", AE_IFLNK, 0777, "/../../.."},
                    {"f", "data"}});
    apply(applier, {{"lib/x.so", "so"}, {"escape/inside", "i"}, {"hl", "", AE_IFREG, 0644, "f", true}},
          "zstd", media_type::kOciLayerZstd);
    applier.finish();
    EXPECT_EQ(read("usr/lib/x.so"), "so");
    EXPECT_EQ(read("inside"), "i");  // "/../../.." is the root, seen from inside
    EXPECT_EQ(fs::hard_link_count(base / "root/f"), 2u);
    EXPECT_FALSE(fs::exists(base / "inside"));
}

TEST_F(ApplierTest, RefusesMismatchesAndLimits) {
    RootfsApplier applier(fd, true);
    auto kind_of = [&](auto&& f) {
        try {
            f();
        } catch (const Failure& e) {
            return e.error().kind;
        }
        return ErrorKind::Internal;
    };
    EXPECT_EQ(kind_of([&] {
                  apply(applier, {{"x", "x"}}, "", media_type::kOciLayerGzip);
              }),
              ErrorKind::UnsafeLayer);
    EXPECT_EQ(kind_of([&] {
                  apply(applier, {{"x", "x"}}, "gzip", media_type::kOciLayer);
              }),
              ErrorKind::UnsafeLayer);
    EXPECT_EQ(kind_of([&] {
                  apply(applier, {{"x", "x"}}, "", media_type::kOciLayer, digest_of("other"));
              }),
              ErrorKind::DigestMismatch);
    EXPECT_EQ(
        kind_of([&] {
            apply(applier, {{"big", std::string(4096, 'b')}}, "", media_type::kOciLayer, {}, {1024, 100});
        }),
        ErrorKind::UnsafeLayer);
    EXPECT_EQ(
        kind_of([&] {
            apply(applier, {{"a", ""}, {"b", ""}, {"c", ""}}, "", media_type::kOciLayer, {}, {1 << 20, 2});
        }),
        ErrorKind::UnsafeLayer);
    EXPECT_EQ(kind_of([&] {
                  apply(applier, {{"x", "x"}}, "", "application/vnd.example.layer");
              }),
              ErrorKind::UnsafeLayer);
}

// The directory cache (DirCache) must never let a later entry reach a directory that a symlink or a
// removal made stale: each of these replaces a cached directory on the way of the next entry.
TEST_F(ApplierTest, CachedDirectoriesReplacedBySymlinksOrWhiteoutsAreResolvedAgain) {
    RootfsApplier applier(fd, true);
    apply(applier, {{"a/", "", AE_IFDIR, 0755}, {"a/x", "x"}, {"d/", "", AE_IFDIR, 0755}, {"d/old", "o"}});
    // Same layer: "a" becomes a symlink after "a/x" was written through the cached "a".
    apply(applier, {{"b/", "", AE_IFDIR, 0755},
                    {"a/y", "y"},
                    {"a", "", AE_IFLNK, 0777, "/b"},
                    {"a/z", "z"},
                    {"up", "", AE_IFLNK, 0777, "../../../.."},
                    {"up/w", "w"}});
    apply(applier, {{".wh.d", ""}, {"d/new", "n"}}, "gzip", media_type::kOciLayerGzip);
    applier.finish();
    EXPECT_EQ(read("b/z"), "z");  // through the symlink, resolved inside the root
    EXPECT_FALSE(fs::exists(base / "root/b/y"));
    EXPECT_TRUE(fs::is_symlink(base / "root/a"));
    EXPECT_EQ(read("w"), "w");  // "../../../.." stops at the root
    EXPECT_FALSE(fs::exists(base / "w"));
    EXPECT_EQ(read("d/new"), "n");
    EXPECT_FALSE(fs::exists(base / "root/d/old"));
}

// Directories made in this layer are used through their opened parent, by relative name, until they
// are opened: replaced by a symlink, a file or a whiteout, they must be resolved again inside the
// root, and finish() must not set anything through their old names.
TEST_F(ApplierTest, DirectoriesMadeInTheLayerAndThenReplacedAreResolvedAgain) {
    RootfsApplier applier(fd, true);
    apply(applier,
          {{"m/", "", AE_IFDIR, 0755},
           {"m/n/", "", AE_IFDIR, 0755},
           {"m/n/f", "f"},
           {"m", "", AE_IFLNK, 0777, "../../../.."},  // replaces the tree just made
           {"m/n/", "", AE_IFDIR, 0750},
           {"m/n/g", "g"},
           {"p/", "", AE_IFDIR, 0755},
           {"p/q/", "", AE_IFDIR, 0755},
           {"p/q", "file", AE_IFREG, 0644, "", false, 0, 0, 1600000000},  // where a made directory was
           {"p/r/", "", AE_IFDIR, 0555},
           {"p/r/s", "s"}});
    apply(applier, {{"t/", "", AE_IFDIR, 0755}, {"t/u/", "", AE_IFDIR, 0755}, {"t/u/v", "v"}});
    apply(applier, {{".wh.t", ""}, {"t2/", "", AE_IFDIR, 0711}}, "gzip", media_type::kOciLayerGzip);
    applier.finish();
    EXPECT_TRUE(fs::is_symlink(base / "root/m"));
    EXPECT_EQ(read("n/g"), "g");  // "m" resolved inside the root: "../../../.." stops there
    EXPECT_FALSE(fs::exists(base / "n"));
    EXPECT_FALSE(fs::exists(base / "root/n/f"));
    EXPECT_EQ(read("p/q"), "file");
    struct stat file {};
    ASSERT_EQ(::lstat((base / "root/p/q").c_str(), &file), 0);
    EXPECT_EQ(file.st_mtime, 1600000000) << "finish() set a forgotten directory's time on the file now there";
    EXPECT_EQ(read("p/r/s"), "s");
    EXPECT_FALSE(fs::exists(base / "root/t"));  // whited out by the next layer
    struct stat st {};
    ASSERT_EQ(::lstat((base / "root/n").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0750u);
    EXPECT_EQ(st.st_mtime, 1704067200);
    ASSERT_EQ(::lstat((base / "root/p/r").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0555u);  // made 0700 to write into, read-only at the end
    EXPECT_EQ(st.st_mtime, 1704067200);
    ASSERT_EQ(::lstat((base / "root/p").c_str(), &st), 0);
    EXPECT_EQ(st.st_mtime, 1704067200);  // set after its children were made
    ASSERT_EQ(::lstat((base / "root/t2").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0711u);
    ASSERT_EQ(::lstat((base / "root/m").c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST_F(ApplierTest, ManyDirectoriesOutgrowTheCacheAndComeBack) {
    RootfsApplier applier(fd, true);
    std::vector<Entry> entries;
    for (int i = 0; i < 300; ++i) entries.push_back({"t/d" + std::to_string(i) + "/f", std::to_string(i)});
    for (int i = 0; i < 300; i += 7) entries.push_back({"t/d" + std::to_string(i) + "/g", "g"});
    apply(applier, entries, "gzip", media_type::kOciLayerGzip);
    applier.finish();
    for (int i = 0; i < 300; ++i) EXPECT_EQ(read("t/d" + std::to_string(i) + "/f"), std::to_string(i));
    EXPECT_EQ(read("t/d294/g"), "g");
}

// Modes and owners are set at creation or with as few calls as possible: the result must be the
// same as before whatever the umask, with set-id bits surviving the chown.
TEST_F(ApplierTest, ModesOwnersAndTimesAreExact) {
    if (::geteuid() != 0) GTEST_SKIP() << "owners need root";
    mode_t old_umask = ::umask(022);
    RootfsApplier applier(fd, false);
    apply(applier, {{"bin/", "", AE_IFDIR, 02775, "", false, 7, 8},
                    {"bin/suid", "s", AE_IFREG, 04755, "", false, 1234, 5678},
                    {"bin/open", "o", AE_IFREG, 0666},
                    {"bin/secret", "", AE_IFREG, 0400, "", false, 0, 42},
                    {"bin/link", "", AE_IFLNK, 0777, "suid", false, 3, 4}});
    applier.finish();
    ::umask(old_umask);
    struct stat st {};
    ASSERT_EQ(::lstat((base / "root/bin/suid").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 04755u);
    EXPECT_EQ(st.st_uid, 1234u);
    EXPECT_EQ(st.st_gid, 5678u);
    EXPECT_EQ(st.st_mtim.tv_sec, 1704067200);
    ASSERT_EQ(::lstat((base / "root/bin/open").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0666u);  // despite the umask
    EXPECT_EQ(st.st_uid, 0u);
    ASSERT_EQ(::lstat((base / "root/bin/secret").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0400u);
    EXPECT_EQ(st.st_size, 0);
    EXPECT_EQ(st.st_gid, 42u);
    ASSERT_EQ(::lstat((base / "root/bin/link").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 3u);
    ASSERT_EQ(::lstat((base / "root/bin").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 02775u);
    EXPECT_EQ(st.st_uid, 7u);
    EXPECT_EQ(st.st_gid, 8u);
    EXPECT_EQ(st.st_mtim.tv_sec, 1704067200);
}

// gzip layers go through ISA-L (GzipInflater): concatenated members are one stream, bytes after the
// last member are ignored, and a corrupt CRC or a truncated stream is refused.
TEST_F(ApplierTest, GzipLayersAreInflatedWholeAndCheckedByIsal) {
    std::vector<Entry> entries;
    for (int i = 0; i < 50; ++i)
        entries.push_back({"f" + std::to_string(i), std::string(5000 + i, 'a' + i % 26)});
    const std::string tar = make_tar(entries);
    auto gzip = [](const std::string& data) {
        std::vector<char> out(data.size() + 65536);
        std::size_t used = 0;
        archive* a = archive_write_new();
        archive_write_set_format_raw(a);
        archive_write_add_filter_gzip(a);
        archive_write_open_memory(a, out.data(), out.size(), &used);
        archive_entry* e = archive_entry_new();
        archive_entry_set_filetype(e, AE_IFREG);
        archive_write_header(a, e);
        archive_write_data(a, data.data(), data.size());
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
        return std::string(out.data(), used);
    };
    const std::string two_members =
        gzip(tar.substr(0, 10000)) + gzip(tar.substr(10000)) + std::string(16, '\0');
    auto unpack = [&](const std::string& blob) {
        fs::path path = base / ("layer-" + std::to_string(layer++));
        std::ofstream(path, std::ios::binary) << blob;
        UnpackBudget budget({});
        DecompressedLayer stream(path, media_type::kOciLayerGzip, digest_of(tar), budget, "layer");
        LayerTarReader reader(stream, budget);
        RootfsApplier applier(fd, true);
        applier.apply_layer(reader, "layer", [] {});
        stream.finish();
    };
    ASSERT_NO_THROW(unpack(two_members));
    EXPECT_EQ(read("f49"), std::string(5049, 'a' + 49 % 26));
    std::string corrupt = gzip(tar);
    corrupt[corrupt.size() - 6] ^= 0x55;  // in the CRC-32 of the trailer
    EXPECT_THROW(unpack(corrupt), Failure);
    std::string truncated = gzip(tar);
    truncated.resize(truncated.size() / 2);
    EXPECT_THROW(unpack(truncated), Failure);
}

}  // namespace
}  // namespace boxtool::output
