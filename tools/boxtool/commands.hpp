#pragma once

#include <string>
#include <vector>

#include "boxtool/error.hpp"

namespace boxtool::cli {

int pull_command(const std::vector<std::string>& argv);
int inspect_command(const std::vector<std::string>& argv);
int registry_command(const std::vector<std::string>& argv);
int policy_command(const std::vector<std::string>& argv);
int store_command(const std::vector<std::string>& argv);
int push_command(const std::vector<std::string>& argv);
int copy_command(const std::vector<std::string>& argv);
int tags_command(const std::vector<std::string>& argv);
int conformance_command(const std::vector<std::string>& argv);

// Prints "boxtool: error: ..." with the hint, and returns the exit code for the error.
int report_error(const Error& error);

}  // namespace boxtool::cli
