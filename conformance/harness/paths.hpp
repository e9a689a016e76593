// Where the things under test and the fixture scripts are. Set at build time by CMake; the
// environment variable BOXTOOL_BINARY overrides the CLI's path (to test another build).
#pragma once

#include <filesystem>

namespace boxtool::harness {

std::filesystem::path source_dir();      // the repository root
std::filesystem::path boxtool_binary();  // the CLI under test
std::filesystem::path python();          // the interpreter the fixture scripts assume
std::filesystem::path fixture_script(const std::filesystem::path& relative);  // under source_dir()

// A TCP port on 127.0.0.1 that was free a moment ago. Someone may take it before it is used;
// servers started on it retry with another.
int free_port();

}  // namespace boxtool::harness
