// A directory that exists for one scope. Set BOXTOOL_KEEP_TEMP=1 to keep it for a post-mortem.
#pragma once

#include <filesystem>
#include <string_view>

namespace boxtool::harness {

class TempDir {
  public:
    explicit TempDir(std::string_view prefix = "boxtool-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& child) const { return path_ / child; }

  private:
    std::filesystem::path path_;
};

}  // namespace boxtool::harness
