// Layers built in memory with libarchive, applied with the same reader and applier the rootfs
// output uses: the OCI layer semantics and the refusals, without a registry.
#include "output/rootfs_applier.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
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
        archive_entry_set_mtime(ae, 1704067200, 0);
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

}  // namespace
}  // namespace boxtool::output
