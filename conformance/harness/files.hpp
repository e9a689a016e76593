// Small file helpers the tests keep needing.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::harness {

std::string read_file(const std::filesystem::path& path);  // throws std::runtime_error
void write_file(const std::filesystem::path& path, std::string_view content);
// "sha256:<hex>" of a file's content, read in chunks.
std::string sha256_file(const std::filesystem::path& path);
// Regular files under a directory, recursively; empty if it does not exist.
std::vector<std::filesystem::path> list_files(const std::filesystem::path& dir);
// The last `lines` lines of a file, or a note that it cannot be read.
std::string tail_file(const std::filesystem::path& path, std::size_t lines = 40);

}  // namespace boxtool::harness
