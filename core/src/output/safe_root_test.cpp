// SafeRoot resolves paths the way a container sees them: symlinks followed inside the root only.
#include "output/safe_root.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "boxtool/error.hpp"

namespace boxtool::output {
namespace {

namespace fs = std::filesystem;

class SafeRootTest : public ::testing::Test {
  protected:
    void SetUp() override {
        base = fs::temp_directory_path() / ("boxtool-safe-root-" + std::to_string(::getpid()));
        fs::remove_all(base);
        fs::create_directories(base / "root");
        fs::create_directories(base / "outside");
        fd = ::open((base / "root").c_str(), O_RDONLY | O_DIRECTORY);
        ASSERT_GE(fd, 0);
    }
    void TearDown() override {
        ::close(fd);
        fs::remove_all(base);
    }
    // Where a directory descriptor really points.
    fs::path where(const UniqueFd& dir) {
        return fs::read_symlink("/proc/self/fd/" + std::to_string(dir.get()));
    }
    fs::path base;
    int fd = -1;
};

TEST_F(SafeRootTest, SplitsAndRefusesEscapes) {
    EXPECT_EQ(split_entry_path("./usr//bin/", "e"), (std::vector<std::string>{"usr", "bin"}));
    EXPECT_TRUE(split_entry_path("./", "e").empty());
    EXPECT_THROW(split_entry_path("../x", "e"), Failure);
    EXPECT_THROW(split_entry_path("a/../../x", "e"), Failure);
    EXPECT_THROW(split_entry_path("/etc/passwd", "e"), Failure);
    EXPECT_THROW(split_entry_path(std::string(300, 'n'), "e"), Failure);
    try {
        split_entry_path("../x", "entry \"../x\"");
        FAIL();
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::UnsafeLayer);
        EXPECT_NE(f.error().message.find("entry \"../x\""), std::string::npos);
    }
}

TEST_F(SafeRootTest, AbsoluteAndEscapingSymlinksStayInsideTheRoot) {
    fs::create_symlink(base / "outside", base / "root" / "abs");
    fs::create_symlink("../../../../../../outside", base / "root" / "rel");
    SafeRoot root(fd);
    for (const char* link : {"abs", "rel"}) {
        auto dir = root.open_dir({link}, true);
        ASSERT_TRUE(dir);
        fs::path got = where(*dir);
        EXPECT_EQ(got.string().rfind((base / "root").string(), 0), 0u) << link << " -> " << got;
    }
    EXPECT_TRUE(fs::is_empty(base / "outside"));
}

TEST_F(SafeRootTest, MissingDirectoriesAreCreatedOnlyWhenAsked) {
    SafeRoot root(fd);
    EXPECT_FALSE(root.open_dir({"a", "b"}, false));
    auto made = root.open_dir({"a", "b"}, true);
    ASSERT_TRUE(made);
    EXPECT_TRUE(fs::is_directory(base / "root" / "a" / "b"));
    auto parent = root.parent_of({"a", "b", "file"}, false);
    ASSERT_TRUE(parent);
    EXPECT_EQ(parent->name, "file");
}

TEST_F(SafeRootTest, FileUsedAsDirectoryAndLoopsAreRefused) {
    std::FILE* f = std::fopen((base / "root" / "plain").c_str(), "w");
    std::fclose(f);
    fs::create_symlink("b", base / "root" / "a");
    fs::create_symlink("a", base / "root" / "b");
    SafeRoot root(fd);
    EXPECT_THROW(root.open_dir({"plain", "x"}, true), Failure);
    EXPECT_THROW(root.open_dir({"a", "x"}, true), Failure);
}

TEST_F(SafeRootTest, RemoveTreeDoesNotFollowSymlinks) {
    fs::create_directories(base / "root" / "d" / "e");
    std::FILE* f = std::fopen((base / "outside" / "keep").c_str(), "w");
    std::fclose(f);
    fs::create_symlink(base / "outside", base / "root" / "d" / "link");
    remove_tree_at(fd, "d");
    EXPECT_FALSE(fs::exists(base / "root" / "d"));
    EXPECT_TRUE(fs::exists(base / "outside" / "keep"));
    remove_tree_at(fd, "missing");  // not an error
}

}  // namespace
}  // namespace boxtool::output
