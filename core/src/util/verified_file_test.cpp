#include "util/verified_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace boxtool::util {
namespace {
namespace fs = std::filesystem;

class VerifiedFile : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "boxtool-verified-file-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << std::strerror(errno);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return dir_ / name;
    }
    fs::path dir_;
    const std::string text_ = R"({"schemaVersion":2})";
    const Digest digest_ = digest_of(text_);
};

TEST_F(VerifiedFile, TheBytesWhenTheyHashToTheDigest) {
    auto got = read_verified_file(write("m", text_), digest_, 1024);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, text_);
    EXPECT_TRUE(read_verified_file(dir_ / "m", digest_, text_.size()));  // exactly at the limit
}

TEST_F(VerifiedFile, NothingForOtherBytesALargerFileOrNoFile) {
    EXPECT_FALSE(read_verified_file(write("m", text_ + " "), digest_, 1024));
    EXPECT_FALSE(read_verified_file(write("n", text_), digest_, text_.size() - 1));
    EXPECT_FALSE(read_verified_file(dir_ / "missing", digest_, 1024));
    fs::create_directory(dir_ / "d");
    EXPECT_FALSE(read_verified_file(dir_ / "d", digest_, 1024));
}

TEST_F(VerifiedFile, ASymlinkIsNotFollowed) {
    write("real", text_);
    fs::create_symlink(dir_ / "real", dir_ / "link");
    EXPECT_FALSE(read_verified_file(dir_ / "link", digest_, 1024));
}

TEST_F(VerifiedFile, OwnOnlyRefusesAnotherUsersFile) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file away";
    auto file = write("m", text_);
    ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0) << std::strerror(errno);
    EXPECT_FALSE(read_verified_file(file, digest_, 1024, true));
    EXPECT_TRUE(read_verified_file(file, digest_, 1024, false));  // the digest still decides
}

}  // namespace
}  // namespace boxtool::util
