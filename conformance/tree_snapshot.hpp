// Comparable descriptions of directory trees (tools/fixtures/tree_snapshot.py): one JSON line per
// entry with path, type, mode, size, sha256, link target, device numbers (and owners on request).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace boxtool::conformance {

// Sorted lines; throws std::runtime_error if the script fails (e.g. the directory is missing).
std::vector<std::string> tree_snapshot(const std::filesystem::path& dir, bool owners = false);
// The lines that differ, "- " for only in `a`, "+ " for only in `b`; empty when equal.
std::vector<std::string> snapshot_diff(const std::vector<std::string>& a, const std::vector<std::string>& b);
// Names in `dir` (not recursive), sorted: to prove no temporary directory was left beside a target.
std::vector<std::string> dir_names(const std::filesystem::path& dir);

}  // namespace boxtool::conformance
