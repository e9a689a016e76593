// `boxtool completion bash|zsh|fish`: scripts generated from the command table, so every command,
// subcommand and flag the parsers take is offered, with the descriptions from the help texts.
#include <algorithm>
#include <cstdio>
#include <string>

#include "command_table.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "global_flags.hpp"
#include "help_text.hpp"
#include "suggest.hpp"

namespace boxtool::cli {
namespace {

std::string join(const std::vector<std::string>& words, const char* sep = " ") {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
    return out;
}

// Single-quoted for sh-like shells.
std::string sq(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::vector<std::string> value_flags(const CommandInfo& c, const char* kind) {
    std::vector<std::string> out;
    for (const auto& f : command_flags(c))
        if (flag_takes_value(c, f) && flag_value_kind(f) == kind) out.push_back(f);
    return out;
}

std::string global_words() {
    FlagSpec g = global_flags();
    std::vector<std::string> words(g.with_value.begin(), g.with_value.end());
    words.insert(words.end(), g.switches.begin(), g.switches.end());
    return join(words);
}

std::string global_value_flags() {
    FlagSpec g = global_flags();
    return join(std::vector<std::string>(g.with_value.begin(), g.with_value.end()), "|");
}

std::string bash_script() {
    std::string s = R"(# bash completion for boxtool (boxtool completion bash)
_boxtool() {
    local cur prev cmd i
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    cmd=""
    local sub=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            )" + global_value_flags() +
                    R"() ((i++)) ;;
            -*) ;;
            *) if [[ -z "$cmd" ]]; then cmd="${COMP_WORDS[i]}"; elif [[ -z "$sub" ]]; then sub="${COMP_WORDS[i]}"; fi ;;
        esac
    done
    case "$prev" in
)";
    // Values of flags: fixed words, files, folders.
    std::vector<std::string> seen;
    for (const auto& c : command_table())
        for (const auto& f : command_flags(c)) {
            auto choices = flag_value_choices(f);
            if (choices.empty() || std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
            seen.push_back(f);
            s += "        " + f + ") COMPREPLY=($(compgen -W " + sq(join(choices)) +
                 " -- \"$cur\")); return ;;\n";
        }
    std::vector<std::string> files, dirs;
    for (const auto& c : command_table()) {
        for (const auto& f : value_flags(c, "FILE"))
            if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
        for (const auto& f : value_flags(c, "DIR"))
            if (std::find(dirs.begin(), dirs.end(), f) == dirs.end()) dirs.push_back(f);
    }
    s += "        " + join(files, "|") + ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
    s += "        " + join(dirs, "|") + ") COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n";
    s += "    esac\n";
    s += "    if [[ -z \"$cmd\" ]]; then\n";
    s += "        if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W " +
         sq(global_words() + " --help --version") + " -- \"$cur\")); return; fi\n";
    s += "        COMPREPLY=($(compgen -W " + sq(join(command_names())) + " -- \"$cur\")); return\n";
    s += "    fi\n";
    s += "    case \"$cmd\" in\n";
    for (const auto& c : command_table()) {
        s += "        " + std::string(c.name) + ")\n";
        if (!c.subcommands.empty()) {
            std::vector<std::string> subs(c.subcommands.begin(), c.subcommands.end());
            s += "            if [[ -z \"$sub\" && \"$cur\" != -* ]]; then COMPREPLY=($(compgen -W " +
                 sq(join(subs)) + " -- \"$cur\")); return; fi\n";
        }
        if (!c.arguments.empty()) {
            std::vector<std::string> args(c.arguments.begin(), c.arguments.end());
            s += "            if [[ -z \"$sub\" && \"$cur\" != -* ]]; then COMPREPLY=($(compgen -W " +
                 sq(join(args)) + " -- \"$cur\")); return; fi\n";
        }
        if (std::string(c.name) == "help")
            s += "            if [[ \"$cur\" != -* ]]; then COMPREPLY=($(compgen -W " +
                 sq(join(command_names())) + " -- \"$cur\")); return; fi\n";
        s += "            COMPREPLY=($(compgen -W " + sq(join(command_flags(c))) + " -- \"$cur\")) ;;\n";
    }
    s += "    esac\n}\ncomplete -o default -F _boxtool boxtool\n";
    return s;
}

// zsh: _arguments specs, '--flag[description]:value:action'.
std::string zsh_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
        if (c == '\'') {
            out += "'\\''";
            continue;
        }
        out += c;
    }
    return out;
}

std::string zsh_flag(const CommandInfo& c, const std::string& f) {
    std::string spec = f + "[" + zsh_escape(flag_description(c, f)) + "]";
    if (flag_takes_value(c, f)) {
        auto choices = flag_value_choices(f);
        std::string kind = flag_value_kind(f);
        if (!choices.empty())
            spec += ":value:(" + join(choices) + ")";
        else if (kind == "FILE")
            spec += ":file:_files";
        else if (kind == "DIR")
            spec += ":folder:_files -/";
        else
            spec += ":value: ";
    }
    // Repeatable, and allowed anywhere: as the parsers take them.
    return "'*" + spec + "'";
}

std::string zsh_script() {
    std::string s = "#compdef boxtool\n# zsh completion for boxtool (boxtool completion zsh)\n\n";
    s += "_boxtool() {\n  local -a commands\n  commands=(\n";
    for (const auto& c : command_table())
        s += "    " + sq(std::string(c.name) + ":" + zsh_escape(c.summary)) + "\n";
    s += "  )\n";
    s += "  local curcontext=\"$curcontext\" state line\n  typeset -A opt_args\n";
    s += "  _arguments -C '1: :->command' '*:: :->args' && return\n";
    s += "  case $state in\n    command) _describe -t commands 'boxtool command' commands ;;\n";
    s += "    args)\n      case $line[1] in\n";
    for (const auto& c : command_table()) {
        s += "        " + std::string(c.name) + ")\n          _arguments -s";
        for (const auto& f : command_flags(c)) s += " \\\n            " + zsh_flag(c, f);
        if (!c.subcommands.empty()) {
            std::vector<std::string> subs(c.subcommands.begin(), c.subcommands.end());
            s += " \\\n            '1:subcommand:(" + join(subs) + ")'";
        } else if (!c.arguments.empty()) {
            std::vector<std::string> args(c.arguments.begin(), c.arguments.end());
            s += " \\\n            '1:argument:(" + join(args) + ")'";
        } else if (std::string(c.name) == "help") {
            s += " \\\n            '1:command:(" + join(command_names()) + ")'";
        }
        s += " \\\n            '*:argument:_files'\n          ;;\n";
    }
    s += "      esac\n      ;;\n  esac\n}\n\n";
    s += "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n  _boxtool \"$@\"\nelse\n  compdef _boxtool "
         "boxtool\nfi\n";
    return s;
}

std::string fish_script() {
    std::string s = "# fish completion for boxtool (boxtool completion fish)\ncomplete -c boxtool -f\n";
    const std::string cmds = join(command_names());
    for (const auto& c : command_table())
        s += "complete -c boxtool -n 'not __fish_seen_subcommand_from " + cmds + "' -a " + c.name + " -d " +
             sq(c.summary) + "\n";
    for (const auto& c : command_table()) {
        const std::string when = "__fish_seen_subcommand_from " + std::string(c.name);
        for (const char* sub : c.subcommands) s += "complete -c boxtool -n " + sq(when) + " -a " + sub + "\n";
        for (const char* arg : c.arguments) s += "complete -c boxtool -n " + sq(when) + " -a " + arg + "\n";
        if (std::string(c.name) == "help")
            for (const auto& n : command_names())
                s += "complete -c boxtool -n " + sq(when) + " -a " + n + "\n";
        for (const auto& f : command_flags(c)) {
            std::string line = "complete -c boxtool -n " + sq(when);
            if (f.rfind("--", 0) == 0)
                line += " -l " + f.substr(2);
            else
                line += " -s " + f.substr(1);
            if (flag_takes_value(c, f)) {
                auto choices = flag_value_choices(f);
                std::string kind = flag_value_kind(f);
                if (!choices.empty())
                    line += " -x -a " + sq(join(choices));
                else if (kind == "FILE" || kind == "DIR")
                    line += " -r -F";
                else
                    line += " -x";
            }
            if (auto d = flag_description(c, f); !d.empty()) line += " -d " + sq(d);
            s += line + "\n";
        }
    }
    return s;
}

}  // namespace

int completion_command(const std::vector<std::string>& argv) {
    Args args(argv, FlagSpec{{}, {"-h", "--help"}});
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s", kCompletionHelp);
        return kOk;
    }
    if (args.positionals().size() != 1) throw UsageError("completion takes one shell: bash, zsh or fish");
    const std::string& shell = args.positionals()[0];
    if (shell == "bash") {
        std::printf("%s", bash_script().c_str());
    } else if (shell == "zsh") {
        std::printf("%s", zsh_script().c_str());
    } else if (shell == "fish") {
        std::printf("%s", fish_script().c_str());
    } else {
        throw UsageError("no completion for the shell \"" + shell + "\"" +
                         text::did_you_mean(shell, {"bash", "zsh", "fish"}) + " (bash, zsh or fish)");
    }
    return kOk;
}

}  // namespace boxtool::cli
