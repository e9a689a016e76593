// Shared by the fuzz targets: turning fuzzer bytes into text, and a scratch folder per process
// (on /dev/shm when there is one) for targets that need files.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Splits at the first `parts - 1` occurrences of `sep`; missing parts are empty.
inline std::vector<std::string> split(std::string_view in, char sep, std::size_t parts) {
    std::vector<std::string> out;
    while (out.size() + 1 < parts) {
        auto at = in.find(sep);
        if (at == std::string_view::npos) break;
        out.emplace_back(in.substr(0, at));
        in.remove_prefix(at + 1);
    }
    out.emplace_back(in);
    out.resize(parts);
    return out;
}

// This process's scratch folder, by name (also usable while statics are being destroyed).
inline std::filesystem::path scratch_path() {
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    return base / ("boxtool-fuzz-" + std::to_string(::getpid()));
}

inline const std::filesystem::path& scratch() {
    static const std::filesystem::path dir = [] {
        auto p = scratch_path();
        std::filesystem::create_directories(p);
        // Removed when the process exits (libFuzzer and the corpus replay both end with exit()):
        // every run used to leave its folder behind in /dev/shm. By name, not through `dir`,
        // which is destroyed before this runs.
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(scratch_path(), ec);
        });
        return p;
    }();
    return dir;
}

}  // namespace boxtool::fuzz
