// boxtool: a thin front end that parses flags, calls the engine, and renders its answers.
#include <cstdio>
#include <string>
#include <vector>

#include "args.hpp"
#include "boxtool/engine.hpp"
#include "command_table.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "global_flags.hpp"
#include "help_text.hpp"
#include "hide_secrets.hpp"
#include "suggest.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {

namespace {

// The command being run, for the usage line that follows a usage error.
std::string g_command;

int run(const std::string& cmd, const std::vector<std::string>& rest) {
    if (cmd == "pull") return pull_command(rest);
    if (cmd == "inspect") return inspect_command(rest);
    if (cmd == "registry") return registry_command(rest);
    if (cmd == "policy") return policy_command(rest);
    if (cmd == "store") return store_command(rest);
    if (cmd == "push") return push_command(rest);
    if (cmd == "copy") return copy_command(rest);
    if (cmd == "tags") return tags_command(rest);
    if (cmd == "conformance") return conformance_command(rest);
    if (cmd == "login") return login_command(rest);
    if (cmd == "logout") return logout_command(rest);
    if (cmd == "completion") return completion_command(rest);
    if (cmd == "man") return man_command(rest);
    if (cmd == "version") return version_command(rest);
    if (cmd == "help") return help_command(rest);
    throw UsageError("unknown command \"" + cmd + "\"" + text::did_you_mean(cmd, command_names()));
}

int dispatch(const std::vector<std::string>& args) {
    // Engine flags may come before the command; they are handed to it after its name.
    const CommandLine line = split_command_line(args);
    if (line.command.empty()) {
        if (!line.global.empty()) throw UsageError("flags given, but no command (pull, inspect, login, ...)");
        std::fprintf(stderr, "%s", kMainHelp);  // a usage error: the help goes where errors go
        return kUsage;
    }
    const std::string& cmd = line.command;
    if (cmd == "-h" || cmd == "--help") {
        std::printf("%s", kMainHelp);
        return kOk;
    }
    if (cmd == "--version") return version_command(line.rest);
    if (cmd.size() > 1 && cmd[0] == '-') {
        std::vector<std::string> known = {"--help", "--version"};
        throw UsageError("unknown flag " + cmd + " before the command" + text::did_you_mean(cmd, known));
    }
    g_command = cmd;
    return run(cmd, command_arguments(line));
}

}  // namespace

int help_command(const std::vector<std::string>& argv) {
    Args args(argv, FlagSpec{{}, {"-h", "--help"}});
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s", kHelpHelp);
        return kOk;
    }
    if (args.positionals().empty()) {
        std::printf("%s", kMainHelp);
        return kOk;
    }
    if (args.positionals().size() > 1) throw UsageError("help takes one COMMAND");
    const std::string& name = args.positionals()[0];
    const CommandInfo* c = find_command(name);
    if (!c) throw UsageError("unknown command \"" + name + "\"" + text::did_you_mean(name, command_names()));
    std::printf("%s", full_help(*c).c_str());
    return kOk;
}

}  // namespace boxtool::cli

int main(int argc, char** argv) {
    using namespace boxtool::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    hide_secret_arguments(argc, argv);  // the copy above keeps them for the commands
    try {
        return dispatch(args);
    } catch (const UsageError& e) {
        const bool known = find_command(g_command) != nullptr;
        std::fprintf(stderr, "boxtool: %s\nRun 'boxtool %s--help' for usage.\n", printable(e.what()).c_str(),
                     known ? (g_command + " ").c_str() : "");
        return kUsage;
    } catch (const boxtool::Failure& f) {
        return report_error(f.error());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "boxtool: internal error: %s\n", printable(e.what()).c_str());
        return kFailure;
    }
}
