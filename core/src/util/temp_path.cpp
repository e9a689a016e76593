#include "util/temp_path.hpp"

#include <unistd.h>

#include <atomic>
#include <random>
#include <sstream>

namespace boxtool::util {

std::filesystem::path output_target(const std::filesystem::path& path) {
    std::filesystem::path target = std::filesystem::absolute(path).lexically_normal();
    if (!target.has_filename()) target = target.parent_path();
    return target;
}

std::filesystem::path sibling_temp_path(const std::filesystem::path& target) {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    std::ostringstream name;
    name << '.' << target.filename().string() << ".boxtool-" << ::getpid() << '-' << counter++ << '-'
         << std::hex << rd();
    return target.parent_path() / name.str();
}

TempPathGuard::~TempPathGuard() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace boxtool::util
