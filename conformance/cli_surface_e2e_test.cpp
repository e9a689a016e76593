// The everyday surface of the CLI: help for every command (boxtool help COMMAND), "did you mean"
// for misspelt commands and flags, version with commit and library versions (--json), completion
// scripts loaded by the real bash, zsh and fish, and the man pages.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <thread>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/paths.hpp"

namespace boxtool::conformance {
namespace {

const std::vector<std::string> kCommands = {"pull",       "inspect", "push",        "copy",     "tags",
                                            "login",      "logout",  "conformance", "registry", "policy",
                                            "completion", "man",     "version",     "help"};

TEST(CliSurface, HelpCommandMatchesDashDashHelpForEveryCommand) {
    CliEnv env;
    for (const auto& c : kCommands) {
        auto help = env.boxtool({"help", c});
        ASSERT_EQ(help.exit_code, kOk) << help.describe();
        EXPECT_NE(help.out.find("Usage"), std::string::npos) << c << ":\n" << help.out;
        auto flag = env.boxtool({c, "--help"});
        EXPECT_EQ(flag.exit_code, kOk) << flag.describe();
        EXPECT_EQ(help.out, flag.out) << c;
    }
    auto top = env.boxtool({"help"});
    EXPECT_EQ(top.exit_code, kOk);
    for (const auto& c : kCommands) EXPECT_NE(top.out.find("boxtool " + c), std::string::npos) << c;
    auto unknown = env.boxtool({"help", "pul"});
    EXPECT_EQ(unknown.exit_code, kUsage) << unknown.describe();
    EXPECT_NE(unknown.err.find("did you mean \"pull\""), std::string::npos) << unknown.err;
}

TEST(CliSurface, DidYouMeanForCommandsAndFlags) {
    CliEnv env;
    auto cmd = env.boxtool({"pul", "alpine"});
    EXPECT_EQ(cmd.exit_code, kUsage);
    EXPECT_NE(cmd.err.find("unknown command \"pul\" (did you mean \"pull\"?)"), std::string::npos) << cmd.err;
    auto flag = env.boxtool({"pull", "alpine", "--platfrom", "linux/amd64"});
    EXPECT_EQ(flag.exit_code, kUsage);
    EXPECT_NE(flag.err.find("unknown flag --platfrom (did you mean \"--platform\"?)"), std::string::npos)
        << flag.err;
    EXPECT_NE(flag.err.find("Run 'boxtool pull --help'"), std::string::npos)
        << "points at the top-level help: " << flag.err;
    auto inspect = env.boxtool({"inspect", "alpine", "--rwa"});
    EXPECT_NE(inspect.err.find("did you mean \"--raw\""), std::string::npos) << inspect.err;
    auto login = env.boxtool({"logni", "x"});
    EXPECT_NE(login.err.find("did you mean \"login\""), std::string::npos) << login.err;
    auto global = env.boxtool({"--debgu", "pull", "alpine"});
    EXPECT_EQ(global.exit_code, kUsage);
    EXPECT_NE(global.err.find("did you mean \"--debug\""), std::string::npos) << global.err;
    auto wild = env.boxtool({"frobnicate"});
    EXPECT_EQ(wild.err.find("did you mean"), std::string::npos) << "a wild guess: " << wild.err;
}

TEST(CliSurface, VersionNamesCommitBuildTypeAndLibraries) {
    CliEnv env;
    auto text = env.boxtool({"version"});
    ASSERT_EQ(text.exit_code, kOk) << text.describe();
    for (const char* key :
         {"boxtool 0.", "commit:", "build type:", "poco:", "openssl:", "libarchive:", "lua:", "yaml-cpp:"})
        EXPECT_NE(text.out.find(key), std::string::npos) << key << " missing:\n" << text.out;
    auto json = env.boxtool({"version", "--json"});
    ASSERT_EQ(json.exit_code, kOk) << json.describe();
    Poco::JSON::Parser parser;
    auto doc = parser.parse(json.out).extract<Poco::JSON::Object::Ptr>();
    EXPECT_FALSE(doc->getValue<std::string>("version").empty());
    auto commit = doc->getValue<std::string>("commit");
    auto head =
        harness::run({"git", "-C", harness::source_dir().string(), "rev-parse", "--short=12", "HEAD"});
    if (head.exit_code == 0 && !head.out.empty()) {
        EXPECT_EQ(commit.substr(0, 12), head.out.substr(0, 12)) << "the commit is stale";
    }
    EXPECT_FALSE(doc->getValue<std::string>("buildType").empty());
    auto deps = doc->getObject("dependencies");
    ASSERT_TRUE(deps);
    for (const char* lib : {"poco", "openssl", "libarchive", "lua", "yaml-cpp"})
        EXPECT_FALSE(deps->getValue<std::string>(lib).empty()) << lib;
    EXPECT_EQ(env.boxtool({"--version"}).out, text.out);
}

// The script, in a file, as a user installs it.
std::filesystem::path completion_file(const CliEnv& env, const std::string& shell) {
    auto r = env.boxtool({"completion", shell});
    if (r.exit_code != 0) throw std::runtime_error(r.describe());
    auto path = env.path("completion." + shell);
    harness::write_file(path, r.out);
    return path;
}

TEST(CliSurface, BashCompletionLoadsAndCompletes) {
    if (harness::find_program("bash").empty()) GTEST_SKIP() << "no bash";
    CliEnv env;
    auto script = completion_file(env, "bash");
    auto complete = [&](const std::string& words, int cword) {
        std::string prelude =
            "[ -f /usr/share/bash-completion/bash_completion ] && . "
            "/usr/share/bash-completion/bash_completion; ";
        auto r =
            harness::run({"bash", "-c",
                          prelude + "source " + script.string() + " && complete -p boxtool && COMP_WORDS=(" +
                              words + ") && COMP_CWORD=" + std::to_string(cword) +
                              " && _boxtool && printf '%s\\n' \"${COMPREPLY[@]}\""});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        return r.out;
    };
    auto cmds = complete("boxtool pu", 1);
    EXPECT_NE(cmds.find("pull\n"), std::string::npos) << cmds;
    EXPECT_NE(cmds.find("push\n"), std::string::npos) << cmds;
    EXPECT_NE(complete("boxtool lo", 1).find("logout"), std::string::npos);
    EXPECT_NE(complete("boxtool pull --pro", 2).find("--progress"), std::string::npos);
    auto values = complete("boxtool pull --progress ''", 3);
    for (const char* v : {"auto", "tty", "plain", "json", "none"})
        EXPECT_NE(values.find(v), std::string::npos) << values;
    EXPECT_NE(complete("boxtool registry ''", 2).find("update"), std::string::npos);
    EXPECT_NE(complete("boxtool completion ''", 2).find("fish"), std::string::npos);
    EXPECT_NE(complete("boxtool --config x.json pu", 3).find("pull"), std::string::npos);
    EXPECT_NE(complete("boxtool inspect x --image", 3).find("--image-config"), std::string::npos);
    EXPECT_NE(complete("boxtool login x --to ''", 4).find("docker-config"), std::string::npos);
}

TEST(CliSurface, FishCompletionLoadsAndCompletes) {
    if (harness::find_program("fish").empty()) GTEST_SKIP() << "no fish (scripts/setup.sh installs it)";
    CliEnv env;
    auto script = completion_file(env, "fish");
    auto complete = [&](const std::string& line) {
        auto r = harness::run(
            {"fish", "--no-config", "-c", "source " + script.string() + "; complete -C '" + line + "'"},
            {.env = {{"HOME", env.home().string()}}});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        return r.out;
    };
    auto cmds = complete("boxtool pu");
    EXPECT_NE(cmds.find("pull\tpull an image"), std::string::npos) << cmds;
    EXPECT_NE(cmds.find("push\t"), std::string::npos) << cmds;
    auto flags = complete("boxtool pull --pro");
    EXPECT_NE(flags.find("--progress\t"), std::string::npos) << flags;
    auto values = complete("boxtool pull --progress ");
    EXPECT_NE(values.find("json"), std::string::npos) << values;
    EXPECT_NE(complete("boxtool registry ").find("update"), std::string::npos);
    EXPECT_NE(complete("boxtool inspect x --no").find("--no-tags"), std::string::npos);
}

TEST(CliSurface, ZshCompletionLoadsAndCompletesInATerminal) {
    if (harness::find_program("zsh").empty() || harness::find_program("tmux").empty())
        GTEST_SKIP() << "no zsh or tmux (scripts/setup.sh installs them)";
    CliEnv env;
    auto script = completion_file(env, "zsh");
    // Loaded the documented way: the function registers for boxtool.
    auto loaded = harness::run({"zsh", "-f", "-c",
                                "autoload -U compinit && compinit -u -d " + env.path("zcompdump").string() +
                                    " && source " + script.string() + " && print -r -- $_comps[boxtool]"},
                               {.env = {{"HOME", env.home().string()}}});
    ASSERT_EQ(loaded.exit_code, 0) << loaded.describe();
    EXPECT_EQ(loaded.out, "_boxtool\n");
    // And it completes as a user types, in a real terminal.
    const std::string sock = env.path("tmux.sock").string();
    auto tmux = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"tmux", "-S", sock});
        return harness::run(args, {.env = {{"HOME", env.home().string()}}});
    };
    ASSERT_EQ(tmux({"-f", "/dev/null", "new-session", "-d", "-s", "z", "-x", "120", "-y", "20", "zsh", "-f"})
                  .exit_code,
              0);
    auto screen = [&] { return tmux({"capture-pane", "-p", "-t", "z"}).out; };
    auto wait_for = [&](const std::string& text) {
        for (int i = 0; i < 100; ++i) {
            if (screen().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    };
    tmux({"send-keys", "-t", "z",
          "autoload -U compinit; compinit -u -d " + env.path("zcompdump2").string() + "; source " +
              script.string() + "; echo READY",
          "Enter"});
    EXPECT_TRUE(wait_for("READY")) << screen();
    tmux({"send-keys", "-t", "z", "boxtool logo", "Tab"});
    EXPECT_TRUE(wait_for("boxtool logout")) << screen();
    tmux({"send-keys", "-t", "z", "C-u"});
    tmux({"send-keys", "-t", "z", "boxtool pull --progr", "Tab"});
    EXPECT_TRUE(wait_for("boxtool pull --progress")) << screen();
    tmux({"kill-server"});
}

TEST(CliSurface, ManPagesForEveryCommand) {
    CliEnv env;
    auto r = env.boxtool({"man", "--output-dir", env.path("man").string()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto main_page = harness::read_file(env.path("man/boxtool.1"));
    EXPECT_EQ(main_page.rfind(".TH BOXTOOL 1", 0), 0u) << main_page.substr(0, 200);
    for (const auto& c : kCommands) {
        auto page = env.path("man/boxtool-" + c + ".1");
        ASSERT_TRUE(std::filesystem::exists(page)) << page;
        EXPECT_NE(main_page.find("boxtool\\-" + c), std::string::npos) << c;
    }
    // The same text as --help, flags included.
    auto pull_page = harness::read_file(env.path("man/boxtool-pull.1"));
    EXPECT_NE(pull_page.find("\\-\\-unpack\\-max\\-bytes"), std::string::npos);
    EXPECT_NE(pull_page.find("\\-\\-debug"), std::string::npos);
    // man renders it, when man is there.
    if (!harness::find_program("man").empty()) {
        auto shown = harness::run({"man", "-l", env.path("man/boxtool-login.1").string()},
                                  {.env = {{"MANPAGER", "cat"}, {"MANWIDTH", "100"}}});
        EXPECT_EQ(shown.exit_code, 0) << shown.describe();
        EXPECT_NE(shown.out.find("--password-stdin"), std::string::npos) << shown.out;
    }
    auto one = env.boxtool({"man", "login"});
    EXPECT_EQ(one.out, harness::read_file(env.path("man/boxtool-login.1")));
}

}  // namespace
}  // namespace boxtool::conformance
