// boxtool: a thin front end that parses flags, calls the engine, and renders its answers.
#include <cstdio>
#include <string>
#include <vector>

#include "args.hpp"
#include "boxtool/engine.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "global_flags.hpp"
#include "help_text.hpp"

namespace boxtool::cli {

namespace {
int dispatch(const std::vector<std::string>& args) {
    // Engine flags may come before the command; they are handed to it after its name.
    const CommandLine line = split_command_line(args);
    if (line.command.empty()) {
        if (!line.global.empty())
            throw UsageError("flags given, but no command (pull, inspect, registry, policy)");
        std::fprintf(stderr, "%s", kMainHelp);  // a usage error: the help goes where errors go
        return kUsage;
    }
    const std::string& cmd = line.command;
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        std::printf("%s", kMainHelp);
        return kOk;
    }
    std::vector<std::string> rest = command_arguments(line);
    if (cmd == "pull") return pull_command(rest);
    if (cmd == "inspect") return inspect_command(rest);
    if (cmd == "registry") return registry_command(rest);
    if (cmd == "policy") return policy_command(rest);
    if (cmd == "push") return push_command(rest);
    if (cmd == "copy") return copy_command(rest);
    if (cmd == "tags") return tags_command(rest);
    if (cmd == "conformance") return conformance_command(rest);
    if (cmd == "version" || cmd == "--version") {
        Args parsed(rest, FlagSpec{{}, {"-h", "--help"}});
        if (parsed.has("-h") || parsed.has("--help")) {
            std::printf("Usage: boxtool version\n\nPrints boxtool's version.\n");
            return kOk;
        }
        if (!parsed.positionals().empty()) throw UsageError("version takes no arguments");
        std::printf("boxtool %s\n", boxtool::version());
        return kOk;
    }
    throw UsageError("unknown command \"" + cmd + "\"");
}
}  // namespace

}  // namespace boxtool::cli

int main(int argc, char** argv) {
    using namespace boxtool::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return dispatch(args);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "boxtool: %s\nRun 'boxtool --help' for usage.\n", e.what());
        return kUsage;
    } catch (const boxtool::Failure& f) {
        return report_error(f.error());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "boxtool: internal error: %s\n", e.what());
        return kFailure;
    }
}
