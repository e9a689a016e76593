// A sibling path for building something before it is renamed into place, removed unless released.
#pragma once

#include <filesystem>
#include <string>

namespace boxtool::util {

// Where an output named `path` goes: absolute, normalized, without a trailing slash ("out/" and
// "out" are one target), so its sibling temporary path is beside it, not inside.
std::filesystem::path output_target(const std::filesystem::path& path);

// "<pid>-<counter>-<random hex>": a name part no other process or call of this one uses at the same
// time (files made with it are still created with O_EXCL).
std::string unique_suffix();

// ".<name>.boxtool-<unique>" beside `target`, on the same file system so rename is atomic.
std::filesystem::path sibling_temp_path(const std::filesystem::path& target);

class TempPathGuard {
  public:
    explicit TempPathGuard(std::filesystem::path path) : path_(std::move(path)) {}
    ~TempPathGuard();
    TempPathGuard(const TempPathGuard&) = delete;
    TempPathGuard& operator=(const TempPathGuard&) = delete;
    const std::filesystem::path& path() const { return path_; }
    void release() { path_.clear(); }

  private:
    std::filesystem::path path_;
};

}  // namespace boxtool::util
