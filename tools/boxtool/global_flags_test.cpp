#include "global_flags.hpp"

#include <gtest/gtest.h>

namespace boxtool::cli {
namespace {

using Strings = std::vector<std::string>;

TEST(GlobalFlags, FlagsBeforeTheCommandMoveAfterIt) {
    auto line =
        split_command_line({"--config", "cfg.json", "--registry=my.registry", "pull", "alpine", "-q"});
    EXPECT_EQ(line.global, (Strings{"--config", "cfg.json", "--registry=my.registry"}));
    EXPECT_EQ(line.command, "pull");
    EXPECT_EQ(command_arguments(line),
              (Strings{"--config", "cfg.json", "--registry=my.registry", "alpine", "-q"}));
}

TEST(GlobalFlags, SwitchesAndEveryRegistryFlag) {
    auto line = split_command_line({"--insecure-registry",
                                    "h:5000",
                                    "--store",
                                    "/s",
                                    "--platform",
                                    "linux/arm64",
                                    "--creds",
                                    "u",
                                    "--password-stdin",
                                    "--ca-file",
                                    "ca.pem",
                                    "--policy",
                                    "p.lua",
                                    "--timeout",
                                    "5",
                                    "--connect-timeout",
                                    "1",
                                    "--retries",
                                    "0",
                                    "--credential",
                                    "c",
                                    "--credential-store",
                                    "f",
                                    "inspect",
                                    "x"});
    EXPECT_EQ(line.command, "inspect");
    EXPECT_EQ(line.global.size(), 23u);
    EXPECT_EQ(line.rest, Strings{"x"});
}

TEST(GlobalFlags, SubcommandsKeepTheirWordFirst) {
    auto explain = split_command_line({"--config", "c.json", "policy", "explain", "alpine"});
    EXPECT_EQ(command_arguments(explain), (Strings{"explain", "--config", "c.json", "alpine"}));
    auto registry = split_command_line({"--credential-store", "s.store", "registry", "list"});
    EXPECT_EQ(command_arguments(registry), (Strings{"list", "--credential-store", "s.store"}));
    // `registry --help` has no subcommand word: the flags go first, where it reads them.
    auto help = split_command_line({"--credential-store", "s", "registry", "--help"});
    EXPECT_EQ(command_arguments(help), (Strings{"--credential-store", "s", "--help"}));
}

TEST(GlobalFlags, NoFlagsChangesNothing) {
    auto line = split_command_line({"pull", "alpine", "--config", "c.json"});
    EXPECT_TRUE(line.global.empty());
    EXPECT_EQ(command_arguments(line), (Strings{"alpine", "--config", "c.json"}));
    EXPECT_EQ(split_command_line({"--help"}).command, "--help");
    EXPECT_EQ(split_command_line({"--version"}).command, "--version");
    EXPECT_EQ(split_command_line({}).command, "");
}

TEST(GlobalFlags, UnknownOrIncompleteFlagsBeforeTheCommandAreUsageErrors) {
    try {
        split_command_line({"--regsitry", "x", "pull", "alpine"});
        FAIL() << "accepted";
    } catch (const UsageError& e) {
        std::string text = e.what();
        EXPECT_NE(text.find("--regsitry"), std::string::npos) << text;
        EXPECT_NE(text.find("did you mean \"--registry\"?"), std::string::npos) << text;
    }
    EXPECT_THROW(split_command_line({"--output", "oci:x", "pull", "alpine"}), UsageError);  // pull's own flag
    EXPECT_THROW(split_command_line({"--config"}), UsageError);
    EXPECT_THROW(split_command_line({"--password-stdin=yes", "pull"}), UsageError);
}

}  // namespace
}  // namespace boxtool::cli
