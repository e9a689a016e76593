#include "tree_snapshot.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/paths.hpp"
#include "harness/process.hpp"

namespace boxtool::conformance {

std::vector<std::string> tree_snapshot(const std::filesystem::path& dir, bool owners) {
    std::vector<std::string> argv = {harness::python().string(),
                                     harness::fixture_script("tools/fixtures/tree_snapshot.py").string(),
                                     dir.string()};
    if (owners) argv.push_back("--owners");
    auto r = harness::run(argv);
    if (r.exit_code != 0) throw std::runtime_error("tree_snapshot.py failed:\n" + r.describe());
    std::vector<std::string> lines;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

std::vector<std::string> snapshot_diff(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::set<std::string> sa(a.begin(), a.end()), sb(b.begin(), b.end());
    std::vector<std::string> out;
    for (const auto& line : sa)
        if (!sb.count(line)) out.push_back("- " + line);
    for (const auto& line : sb)
        if (!sa.count(line)) out.push_back("+ " + line);
    return out;
}

std::vector<std::string> dir_names(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace boxtool::conformance
