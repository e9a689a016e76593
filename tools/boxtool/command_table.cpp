#include "command_table.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "commands.hpp"
#include "global_flags.hpp"
#include "help_text.hpp"

namespace boxtool::cli {
namespace {

FlagSpec help_only() {
    return FlagSpec{{}, {"-h", "--help"}};
}
FlagSpec version_flags() {
    return FlagSpec{{}, {"-h", "--help", "--json"}};
}
FlagSpec man_flags() {
    return FlagSpec{{"--output-dir"}, {"-h", "--help"}};
}
FlagSpec policy_flags() {
    return policy_explain_flags();
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

const std::vector<CommandInfo>& command_table() {
    static const std::vector<CommandInfo> table = {
        {"pull",
         "pull an image into the store and optionally an output",
         kPullHelp,
         true,
         pull_flags,
         {},
         {}},
        {"inspect",
         "show what an image reference resolves to, as JSON",
         kInspectHelp,
         true,
         inspect_flags,
         {},
         {}},
        {"push", "push an image to a registry", kPushHelp, true, transfer_flags, {}, {}},
        {"copy",
         "copy an image between registries, layouts and archives",
         kCopyHelp,
         true,
         transfer_flags,
         {},
         {}},
        {"tags", "list every tag of a repository", kTagsHelp, true, tags_flags, {}, {}},
        {"login", "check credentials with a registry and store them", kLoginHelp, true, login_flags, {}, {}},
        {"logout", "remove stored credentials for a registry", kLogoutHelp, false, logout_flags, {}, {}},
        {"store",
         "list, measure, check and clean the content store",
         kStoreHelp,
         false,
         store_flags,
         {"ls", "du", "verify", "prune", "rm"},
         {}},
        {"conformance",
         "check a registry as clients need it (for CI)",
         kConformanceHelp,
         true,
         conformance_flags,
         {},
         {}},
        {"registry",
         "manage the encrypted credential store",
         kRegistryHelp,
         false,
         registry_command_flags,
         {"add", "list", "show", "update", "rm"},
         {}},
        {"policy",
         "explain or test the registry-selection policy",
         kPolicyHelp,
         true,
         policy_flags,
         {"explain", "test"},
         {}},
        {"completion",
         "print a shell completion script",
         kCompletionHelp,
         false,
         help_only,
         {},
         {"bash", "zsh", "fish"}},
        {"man", "print or write the man pages", kManHelp, false, man_flags, {}, {}},
        {"version",
         "print the version, commit, build type and library versions",
         kVersionHelp,
         false,
         version_flags,
         {},
         {}},
        {"help", "print the help of boxtool or of a command", kHelpHelp, false, help_only, {}, {}},
    };
    return table;
}

const CommandInfo* find_command(std::string_view name) {
    for (const auto& c : command_table())
        if (name == c.name) return &c;
    return nullptr;
}

std::vector<std::string> command_names() {
    std::vector<std::string> out;
    for (const auto& c : command_table()) out.emplace_back(c.name);
    return out;
}

std::string full_help(const CommandInfo& command) {
    std::string text = command.help;
    if (command.registry_flags_help) text += std::string("\n") + kRegistryFlagsHelp;
    return text;
}

std::vector<std::string> command_flags(const CommandInfo& command) {
    FlagSpec spec = command.flags ? command.flags() : help_only();
    std::vector<std::string> out(spec.with_value.begin(), spec.with_value.end());
    out.insert(out.end(), spec.switches.begin(), spec.switches.end());
    std::sort(out.begin(), out.end());
    return out;
}

bool flag_takes_value(const CommandInfo& command, const std::string& flag) {
    FlagSpec spec = command.flags ? command.flags() : help_only();
    return spec.with_value.count(flag) > 0;
}

std::string flag_description(const CommandInfo& command, const std::string& flag) {
    // Help lines look like "  --flag VALUE        what it does" (continued on indented lines) or
    // "  -u, --username USER    ...": the description starts after a gap of two spaces or more.
    for (const auto& line : split_lines(full_help(command))) {
        auto first = line.find_first_not_of(' ');
        if (first == std::string::npos || line[first] != '-') continue;
        auto gap = line.find("  ", first);
        std::string names = line.substr(first, gap == std::string::npos ? std::string::npos : gap - first);
        std::istringstream words(names);
        bool match = false;
        for (std::string w; words >> w;) {
            while (!w.empty() && (w.back() == ',')) w.pop_back();
            if (w == flag) match = true;
        }
        if (!match) continue;
        if (gap == std::string::npos) return "";
        auto start = line.find_first_not_of(' ', gap);
        return start == std::string::npos ? "" : line.substr(start);
    }
    return "";
}

std::vector<std::string> flag_value_choices(const std::string& flag) {
    static const std::map<std::string, std::vector<std::string>> choices = {
        {"--progress", {"auto", "tty", "plain", "json", "none"}},
        {"--to", {"store", "docker-config"}},
        {"--from", {"store", "docker-config", "all"}},
        {"--type", {"ecr"}},
    };
    auto it = choices.find(flag);
    return it == choices.end() ? std::vector<std::string>{} : it->second;
}

std::string flag_value_kind(const std::string& flag) {
    static const std::vector<std::string> files = {
        "--config", "--ca-file", "--policy", "--credential-store", "--key-file", "--junit", "--compose"};
    static const std::vector<std::string> dirs = {"--store", "--output-dir"};
    if (!flag_value_choices(flag).empty()) return "choices";
    if (std::find(files.begin(), files.end(), flag) != files.end()) return "FILE";
    if (std::find(dirs.begin(), dirs.end(), flag) != dirs.end()) return "DIR";
    return "";
}

}  // namespace boxtool::cli
