#pragma once

#include <string>
#include <vector>

#include "args.hpp"
#include "boxtool/error.hpp"

namespace boxtool::cli {

// Each command's flags: what it parses, and what completion and man pages list.
FlagSpec pull_flags();
FlagSpec inspect_flags();
FlagSpec registry_command_flags();
FlagSpec policy_explain_flags();
FlagSpec transfer_flags();
FlagSpec tags_flags();
FlagSpec conformance_flags();
FlagSpec login_flags();
FlagSpec logout_flags();
FlagSpec store_flags();

int pull_command(const std::vector<std::string>& argv);
int inspect_command(const std::vector<std::string>& argv);
int registry_command(const std::vector<std::string>& argv);
int policy_command(const std::vector<std::string>& argv);
int store_command(const std::vector<std::string>& argv);
int push_command(const std::vector<std::string>& argv);
int copy_command(const std::vector<std::string>& argv);
int tags_command(const std::vector<std::string>& argv);
int conformance_command(const std::vector<std::string>& argv);
int login_command(const std::vector<std::string>& argv);
int logout_command(const std::vector<std::string>& argv);
int version_command(const std::vector<std::string>& argv);
int completion_command(const std::vector<std::string>& argv);
int help_command(const std::vector<std::string>& argv);
int man_command(const std::vector<std::string>& argv);

// Prints "boxtool: error: ..." with the hint, and returns the exit code for the error.
int report_error(const Error& error);

}  // namespace boxtool::cli
