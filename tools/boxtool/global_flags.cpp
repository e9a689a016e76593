#include "global_flags.hpp"

#include "engine_setup.hpp"
#include "suggest.hpp"

namespace boxtool::cli {

FlagSpec global_flags() {
    FlagSpec spec = registry_flags();
    spec.with_value.insert({"--credential-store", "--key-file"});
    return spec;
}

CommandLine split_command_line(const std::vector<std::string>& args) {
    const FlagSpec spec = global_flags();
    CommandLine line;
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() < 2 || a[0] != '-' || a == "-h" || a == "--help" || a == "--version") break;
        std::string name = a.substr(0, a.find('='));
        bool inline_value = name.size() != a.size();
        if (spec.with_value.count(name)) {
            line.global.push_back(a);
            if (!inline_value) {
                if (i + 1 >= args.size()) throw UsageError("flag " + name + " needs a value");
                line.global.push_back(args[++i]);
            }
        } else if (spec.switches.count(name) && !inline_value) {
            line.global.push_back(a);
        } else {
            std::vector<std::string> known(spec.with_value.begin(), spec.with_value.end());
            known.insert(known.end(), spec.switches.begin(), spec.switches.end());
            throw UsageError("unknown flag " + name + " before the command" +
                             text::did_you_mean(name, known) +
                             "; only registry, config, credential and TLS flags may come before it");
        }
    }
    if (i < args.size()) line.command = args[i++];
    line.rest.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    return line;
}

std::vector<std::string> command_arguments(const CommandLine& line) {
    std::vector<std::string> out = line.rest;
    const bool has_subcommand = line.command == "registry" || line.command == "policy";
    auto at = out.begin();
    if (has_subcommand && !out.empty() && !out.front().empty() && out.front()[0] != '-') ++at;
    out.insert(at, line.global.begin(), line.global.end());
    return out;
}

}  // namespace boxtool::cli
