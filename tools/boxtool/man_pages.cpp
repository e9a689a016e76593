// `boxtool man`: man pages in roff made from the help texts (command_table.hpp), so the manual
// says exactly what --help says. cmake --install puts them in share/man/man1.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "boxtool/engine.hpp"
#include "command_table.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "suggest.hpp"

namespace boxtool::cli {
namespace {

// Text as roff shows it: backslashes doubled, a line starting with '.' or '\'' protected.
std::string roff(const std::string& text) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::string esc;
        for (char c : line)
            esc += c == '\\' ? std::string("\\e") : c == '-' ? std::string("\\-") : std::string(1, c);
        if (!esc.empty() && (esc[0] == '.' || esc[0] == '\'')) esc = "\\&" + esc;
        out += esc + "\n";
    }
    return out;
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string header(const std::string& name, const std::string& summary) {
    return ".TH " + upper(name) + " 1 \"\" \"boxtool " + version() + "\" \"boxtool manual\"\n.SH NAME\n" +
           name + " \\- " + roff(summary);
}

std::string command_page(const CommandInfo& c) {
    std::string name = std::string("boxtool-") + c.name;
    std::string page = header(name, c.summary);
    page += ".SH DESCRIPTION\n.nf\n" + roff(full_help(c)) + ".fi\n";
    page +=
        ".SH EXIT STATUS\n0 ok, 1 failure, 2 usage or config error, 3 not found, 4 unauthorized or denied, 5 "
        "network/TLS/timeout/server error, 6 integrity, 7 no matching platform, 8 denied by policy, 130 "
        "interrupted.\n";
    page += ".SH SEE ALSO\n.BR boxtool (1)\n";
    return page;
}

std::string main_page() {
    std::string page = header("boxtool", "pull OCI and Docker images from registries");
    page += ".SH SYNOPSIS\n.B boxtool\n.I COMMAND\n[\\fIFLAGS\\fR]\n";
    page += ".SH DESCRIPTION\n.nf\n" + roff(kMainHelp) + ".fi\n";
    page += ".SH COMMANDS\n";
    for (const auto& c : command_table())
        page += ".TP\n.BR boxtool\\-" + std::string(c.name) + " (1)\n" + roff(c.summary);
    page += ".SH SEE ALSO\n";
    bool first = true;
    for (const auto& c : command_table()) {
        page += std::string(first ? "" : ",\n") + ".BR boxtool\\-" + c.name + " (1)";
        first = false;
    }
    return page + "\n";
}

}  // namespace

int man_command(const std::vector<std::string>& argv) {
    Args args(argv, FlagSpec{{"--output-dir"}, {"-h", "--help"}});
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s", kManHelp);
        return kOk;
    }
    if (args.positionals().size() > 1) throw UsageError("man takes at most one COMMAND");
    if (auto dir = args.last("--output-dir")) {
        if (!args.positionals().empty())
            throw UsageError("--output-dir writes every page: leave out COMMAND");
        std::filesystem::create_directories(*dir);
        auto write = [&](const std::string& file, const std::string& text) {
            std::ofstream out(std::filesystem::path(*dir) / file, std::ios::binary | std::ios::trunc);
            out << text;
            if (!out)
                throw Failure(ErrorKind::Io, "cannot write " + (std::filesystem::path(*dir) / file).string());
        };
        write("boxtool.1", main_page());
        for (const auto& c : command_table()) write(std::string("boxtool-") + c.name + ".1", command_page(c));
        return kOk;
    }
    if (args.positionals().empty()) {
        std::printf("%s", main_page().c_str());
        return kOk;
    }
    const auto* c = find_command(args.positionals()[0]);
    if (!c)
        throw UsageError("no command \"" + args.positionals()[0] + "\"" +
                         text::did_you_mean(args.positionals()[0], command_names()));
    std::printf("%s", command_page(*c).c_str());
    return kOk;
}

}  // namespace boxtool::cli
