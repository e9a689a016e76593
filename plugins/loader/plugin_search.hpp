// Where credential plugins are looked for, and how a plugin name becomes a file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace boxtool::plugins {

// The file for plugin `name`: NAME.so in the first folder that has it. A name containing '/' is
// a path to the file itself. Throws Failure(Plugin) listing the folders searched when none has it,
// and Failure(Config) for names that are not plain words.
std::filesystem::path find_plugin(const std::string& name, const std::vector<std::filesystem::path>& dirs);

}  // namespace boxtool::plugins
