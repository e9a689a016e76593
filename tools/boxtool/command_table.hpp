// Every command with its help text and flags: what `help COMMAND`, the "did you mean" for a
// misspelt command, the shell completion scripts and the man pages are all made from, so none of
// them can forget a command or a flag the parser takes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "args.hpp"

namespace boxtool::cli {

struct CommandInfo {
    const char* name;
    const char* summary;
    const char* help;                  // the command's own help text
    bool registry_flags_help = false;  // followed by the registry flags' help
    FlagSpec (*flags)() = nullptr;     // null: only -h / --help
    std::vector<const char*> subcommands;
    std::vector<const char*> arguments;  // fixed words for the first argument (completion SHELL)
};

const std::vector<CommandInfo>& command_table();
const CommandInfo* find_command(std::string_view name);
std::vector<std::string> command_names();

// The whole help of a command: its text, then the registry flags' when it takes them.
std::string full_help(const CommandInfo& command);

// Every flag the command accepts, sorted: long and short spellings.
std::vector<std::string> command_flags(const CommandInfo& command);
bool flag_takes_value(const CommandInfo& command, const std::string& flag);

// A flag's one-line description, found in the command's help text ("" if it has none).
std::string flag_description(const CommandInfo& command, const std::string& flag);

// What a flag's value is, for completion: fixed words ("auto tty plain json none"), "FILE", "DIR",
// or "" for anything.
std::string flag_value_kind(const std::string& flag);
std::vector<std::string> flag_value_choices(const std::string& flag);

}  // namespace boxtool::cli
