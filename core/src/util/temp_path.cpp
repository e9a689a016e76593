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

std::string unique_suffix() {
    static std::atomic<unsigned> counter{0};
    // Seeded once per thread: std::random_device costs a system call or a CPUID probe each time it
    // is made, and a pull names a temporary file for every blob.
    thread_local std::mt19937_64 random{std::random_device{}()};
    std::ostringstream s;
    s << ::getpid() << '-' << counter++ << '-' << std::hex << (random() & 0xffffffffu);
    return s.str();
}

std::filesystem::path sibling_temp_path(const std::filesystem::path& target) {
    return target.parent_path() / ("." + target.filename().string() + ".boxtool-" + unique_suffix());
}

TempPathGuard::~TempPathGuard() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace boxtool::util
