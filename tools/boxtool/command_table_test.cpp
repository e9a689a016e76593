#include "command_table.hpp"

#include <gtest/gtest.h>

namespace boxtool::cli {
namespace {

TEST(CommandTable, EveryFlagOfEveryCommandIsDescribedInItsHelp) {
    for (const auto& c : command_table())
        for (const auto& f : command_flags(c)) {
            if (f == "-h" || f == "--help") continue;
            EXPECT_NE(full_help(c).find(f), std::string::npos)
                << c.name << " " << f << " is missing from its help";
        }
}

TEST(CommandTable, DescriptionsComeFromTheHelpText) {
    const auto* pull = find_command("pull");
    ASSERT_NE(pull, nullptr);
    EXPECT_EQ(flag_description(*pull, "--jobs"), "concurrent blob downloads (default 4)");
    EXPECT_NE(flag_description(*pull, "--debug").find("log every request"), std::string::npos);
    const auto* login = find_command("login");
    ASSERT_NE(login, nullptr);
    EXPECT_NE(flag_description(*login, "-u").find("user name"), std::string::npos);
    EXPECT_NE(flag_description(*login, "--username").find("user name"), std::string::npos);
    EXPECT_TRUE(flag_takes_value(*login, "--to"));
    EXPECT_EQ(flag_value_choices("--progress").size(), 5u);
}

TEST(CommandTable, KnowsEveryCommand) {
    for (const char* name : {"pull", "inspect", "push", "copy", "tags", "login", "logout", "conformance",
                             "registry", "policy", "completion", "man", "version", "help"})
        EXPECT_NE(find_command(name), nullptr) << name;
}

}  // namespace
}  // namespace boxtool::cli
