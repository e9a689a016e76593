// Flags that configure the engine may come before the command as well as after it, as BoxLite's
// CLI takes them: `boxtool --config cfg.json --registry my.registry pull alpine` is
// `boxtool pull --config cfg.json --registry my.registry alpine`. The flags before the command are
// moved after it (after a subcommand such as `policy explain`), so each command's own parser still
// decides which flags it takes and the two spellings cannot drift apart.
#pragma once

#include <string>
#include <vector>

#include "args.hpp"

namespace boxtool::cli {

// Every flag accepted before a command: the registry flags (registry_flags()) and the credential
// store's (--credential-store, --key-file).
FlagSpec global_flags();

struct CommandLine {
    std::vector<std::string> global;  // the flags (and their values) found before the command
    std::string command;              // "" when there is none
    std::vector<std::string> rest;    // after the command
};

// Splits ARGS at the command: leading flags (known global flags with their values; "-h", "--help",
// "--version" and anything else not a global flag end the scan) and what follows. Throws UsageError
// for an unknown flag before the command, or a flag missing its value.
CommandLine split_command_line(const std::vector<std::string>& args);

// The command's own arguments with the global flags placed where its parser reads flags: after the
// subcommand word for commands that have one (registry, policy), else first.
std::vector<std::string> command_arguments(const CommandLine& line);

}  // namespace boxtool::cli
