#include "plugin_library.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boxtool/error.hpp"
#include "plugin_instance.hpp"
#include "plugin_search.hpp"
#include "test_support.hpp"

namespace boxtool::plugins {
namespace {

using testing::test_plugin;

// Expects loading `name` to be refused with a Plugin error naming the file and containing `why`.
void expect_refused(const std::filesystem::path& path, const std::string& why) {
    try {
        PluginLibrary::load(path);
        FAIL() << path << " was loaded";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Plugin);
        EXPECT_NE(f.error().message.find(path.string()), std::string::npos) << f.error().message;
        EXPECT_NE(f.error().message.find(why), std::string::npos) << f.error().message;
        EXPECT_FALSE(f.error().hint.empty());
    }
}

TEST(PluginLibrary, LoadsAPluginWrittenInPlainC) {
    auto lib = PluginLibrary::load(test_plugin("plain_c"), "plain_c");
    EXPECT_EQ(lib->name(), "plain_c");
    EXPECT_EQ(lib->version(), "0.1");
    PluginInstance instance(lib, "{}");
    auto cred = instance.get("found.example", "team/app");
    ASSERT_TRUE(cred);
    EXPECT_EQ(cred->username, "c-user");
    EXPECT_EQ(cred->password.reveal(), "c-pass");
    EXPECT_EQ(cred->source, "plain_c (plain C call 1)");
    EXPECT_FALSE(instance.get("elsewhere.example", "x"));
    auto token = instance.get("token.example", "x");
    ASSERT_TRUE(token);
    EXPECT_EQ(token->registry_token.reveal(), "c-token");
    EXPECT_EQ(instance.describe(), "an in-memory table");
}

TEST(PluginLibrary, RefusesAPluginBuiltForAnotherMajorVersion) {
    expect_refused(test_plugin("wrong_major_symbol"), "built for plugin ABI major version 2");
}

TEST(PluginLibrary, RefusesATableDeclaringAnotherMajorVersion) {
    expect_refused(test_plugin("wrong_major_field"), "declares plugin ABI major version 3");
}

TEST(PluginLibrary, RefusesAFileWithoutTheEntrySymbol) {
    expect_refused(test_plugin("missing_entry"),
                   "does not export the entry symbol boxtool_credential_plugin_v1");
}

TEST(PluginLibrary, RefusesANullFunction) {
    expect_refused(test_plugin("null_get"), "get function is NULL");
}

TEST(PluginLibrary, RefusesAFileThatIsNotASharedObject) {
    testing::TempDir dir;
    testing::write_file(dir / "junk.so", "this is not ELF");
    expect_refused(dir / "junk.so", "cannot load it");
}

TEST(PluginLibrary, RefusesAPluginWritableByOthers) {
    testing::TempDir dir;
    std::filesystem::copy_file(test_plugin("plain_c"), dir / "plain_c.so");
    ::chmod((dir / "plain_c.so").c_str(), 0666);
    expect_refused(dir / "plain_c.so", "writable by other users");
    ::chmod((dir / "plain_c.so").c_str(), 0620);
    expect_refused(dir / "plain_c.so", "writable by other users");
}

TEST(PluginLibrary, RefusesAPluginInAFolderWritableByOthers) {
    testing::TempDir dir;
    std::filesystem::copy_file(test_plugin("plain_c"), dir / "plain_c.so");
    ::chmod((dir / "plain_c.so").c_str(), 0755);
    ::chmod(dir.path().c_str(), 0777);
    expect_refused(dir / "plain_c.so", "its folder " + dir.path().string() + " is writable by other users");
}

TEST(PluginLibrary, RefusesASymlinkedPluginFile) {
    testing::TempDir dir;
    std::filesystem::copy_file(test_plugin("plain_c"), dir / "real.so");
    std::filesystem::create_symlink(dir / "real.so", dir / "plain_c.so");
    expect_refused(dir / "plain_c.so", "symbolic link");
}

TEST(PluginLibrary, RefusesAPluginBelowAFolderOfAnotherUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a folder away";
    testing::TempDir dir;
    std::filesystem::create_directories(dir / "theirs" / "plugins");
    std::filesystem::copy_file(test_plugin("plain_c"), dir / "theirs" / "plugins" / "plain_c.so");
    ASSERT_EQ(::chown((dir / "theirs").c_str(), 65534, 65534), 0);
    expect_refused(dir / "theirs" / "plugins" / "plain_c.so", "owned by another user (uid 65534)");
}

TEST(PluginLibrary, ASymlinkSwappedDuringTheCheckNeverGetsItsTargetLoaded) {
    // The review's race: the check looked at canonical(path) but dlopen() opened `path` again, so
    // another user swapping a symlink in between got their library's constructor run by us. Here
    // a real unprivileged process swaps the link as fast as it can while we load many times.
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another user";
    testing::TempDir dir;
    const auto good = dir / "good";
    const auto home = dir / "attacker";  // the other user's own folder
    std::filesystem::create_directories(good);
    std::filesystem::create_directories(home / "evil");
    std::filesystem::copy_file(test_plugin("plain_c"), good / "plain_c.so");
    std::filesystem::copy_file(test_plugin("evil_constructor"), home / "evil" / "plain_c.so");
    for (const auto& p : {home, home / "evil", home / "evil" / "plain_c.so"})
        ASSERT_EQ(::chown(p.c_str(), 65534, 65534), 0);
    std::filesystem::create_directory_symlink(good, home / "plugins");
    ASSERT_EQ(::lchown((home / "plugins").c_str(), 65534, 65534), 0);
    const auto marker = dir / "evil-constructor-ran";
    testing::ScopedEnv env("BOXTOOL_TEST_EVIL_MARKER", marker.string());

    pid_t swapper = ::fork();
    ASSERT_GE(swapper, 0);
    if (swapper == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
        const std::string next = (home / "next").string(), link = (home / "plugins").string();
        for (int i = 0; i < 200000; ++i) {
            ::unlink(next.c_str());
            if (::symlink(i % 2 ? (home / "evil").c_str() : good.c_str(), next.c_str()) != 0) ::_exit(4);
            if (::rename(next.c_str(), link.c_str()) != 0) ::_exit(5);
        }
        ::_exit(0);
    }
    int loaded = 0, refused = 0;
    for (int i = 0; i < 300; ++i) {
        try {
            auto lib = PluginLibrary::load(home / "plugins" / "plain_c.so", "plain_c");
            ++loaded;
        } catch (const Failure& f) {
            ++refused;
            EXPECT_EQ(f.error().kind, ErrorKind::Plugin);
        }
    }
    ::kill(swapper, SIGKILL);
    int status = 0;
    ::waitpid(swapper, &status, 0);
    EXPECT_FALSE(std::filesystem::exists(marker)) << "the attacker's library was mapped";
    EXPECT_EQ(loaded + refused, 300);
}

TEST(PluginLibrary, RefusesANameMismatch) {
    try {
        PluginLibrary::load(test_plugin("plain_c"), "docker-config");
        FAIL();
    } catch (const Failure& f) {
        EXPECT_NE(f.error().message.find("calls itself \"plain_c\""), std::string::npos) << f.error().message;
    }
}

TEST(PluginInstance, ReportsAFailingCreateWithThePluginsReason) {
    auto lib = PluginLibrary::load(test_plugin("failing_create"));
    try {
        PluginInstance instance(lib, "{}");
        FAIL();
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Plugin);
        EXPECT_NE(f.error().message.find(test_plugin("failing_create").string()), std::string::npos);
        EXPECT_NE(f.error().message.find("failed to start: cannot reach the vault"), std::string::npos)
            << f.error().message;
    }
    auto plain = PluginLibrary::load(test_plugin("plain_c"));
    EXPECT_THROW(PluginInstance(plain, R"({"mode":"fail-create"})"), Failure);
}

TEST(PluginInstance, ContainsAnExceptionEscapingThePlugin) {
    PluginInstance instance(PluginLibrary::load(test_plugin("throwing_get")), "{}");
    try {
        instance.get("any.example", "x");
        FAIL();
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Plugin);
        EXPECT_NE(f.error().message.find("threw an exception"), std::string::npos) << f.error().message;
    }
}

TEST(PluginInstance, RefusesAnswersThatBreakTheContract) {
    PluginInstance instance(PluginLibrary::load(test_plugin("bad_answer")), "{}");
    for (auto [registry, why] :
         {std::pair{"empty.example", "gave no password or token"},
          std::pair{"colon.example", "username contains ':'"}, std::pair{"nul.example", "NUL byte"},
          std::pair{"status.example", "unknown status 7"}}) {
        try {
            instance.get(registry, "x");
            ADD_FAILURE() << registry << " accepted";
        } catch (const Failure& f) {
            EXPECT_EQ(f.error().kind, ErrorKind::Plugin);
            EXPECT_NE(f.error().message.find(why), std::string::npos) << f.error().message;
        }
    }
}

TEST(PluginInstance, ReportsAPluginErrorWithItsMessage) {
    PluginInstance instance(PluginLibrary::load(test_plugin("plain_c")), "{}");
    try {
        instance.get("error.example", "x");
        FAIL();
    } catch (const Failure& f) {
        EXPECT_NE(f.error().message.find("failed for error.example: the C plugin's backend is down"),
                  std::string::npos)
            << f.error().message;
    }
}

TEST(PluginSearch, ConfiguredFoldersComeBeforeTheEnvironmentAndInstalledOnes) {
    testing::TempDir first, second;
    std::filesystem::copy_file(test_plugin("plain_c"), first / "plain_c.so");
    std::filesystem::copy_file(test_plugin("plain_c"), second / "plain_c.so");
    testing::ScopedEnv env("BOXTOOL_PLUGIN_PATH", second.path().string() + ":/nonexistent");
    auto dirs = plugin_search_dirs({first.path()});
    ASSERT_GE(dirs.size(), 4u);
    EXPECT_EQ(dirs[0], first.path());
    EXPECT_EQ(dirs[1], second.path());
    EXPECT_EQ(dirs[2], "/nonexistent");
    EXPECT_EQ(find_plugin("plain_c", dirs), first / "plain_c.so");
    EXPECT_EQ(find_plugin("plain_c", plugin_search_dirs({})), second / "plain_c.so");
}

TEST(PluginSearch, AMissingPluginListsTheFoldersSearched) {
    testing::TempDir dir;
    try {
        find_plugin("nope", {dir.path()});
        FAIL();
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Plugin);
        EXPECT_NE(f.error().message.find("nope.so in " + dir.path().string()), std::string::npos);
    }
    EXPECT_THROW(find_plugin("bad name", {dir.path()}), Failure);
}

}  // namespace
}  // namespace boxtool::plugins

namespace boxtool::plugins {
namespace {

// ABI 1.1 added get_resource; a plugin built for 1.0 still loads and answers credentials, and the
// host never reads its table past struct_size (the test plugin aborts if it did).
TEST(PluginAbiMinor, APluginBuiltFor1_0StillLoadsAndHasNoResources) {
    auto lib = PluginLibrary::load(testing::test_plugin("abi_1_0"), "abi_1_0");
    EXPECT_FALSE(lib->has_get_resource());
    PluginInstance instance(lib, "{}");
    auto cred = instance.get("found.example", "app");
    ASSERT_TRUE(cred);
    EXPECT_EQ(cred->username, "old-user");
    EXPECT_FALSE(instance.get_resource("test://policy"));
}

TEST(PluginAbiMinor, GetResourceReturnsBytesErrorsAndNotFound) {
    auto lib = PluginLibrary::load(testing::test_plugin("plain_c"), "plain_c");
    EXPECT_TRUE(lib->has_get_resource());
    PluginInstance instance(lib, "{}");
    auto policy = instance.get_resource("test://policy");
    ASSERT_TRUE(policy);
    EXPECT_EQ(policy->bytes, R"({"default":[{"type":"reject"}]})");
    EXPECT_EQ(policy->source, "plain_c (in-memory policy)");
    auto binary = instance.get_resource("test://binary");
    ASSERT_TRUE(binary);
    EXPECT_EQ(binary->bytes, std::string("a\0b", 3));  // resources may hold any bytes
    EXPECT_FALSE(instance.get_resource("test://other"));
    try {
        instance.get_resource("test://broken");
        FAIL() << "a failing get_resource must be an error";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Plugin);
        EXPECT_NE(f.error().message.find("the resource backend is down"), std::string::npos)
            << f.error().message;
    }
}

}  // namespace
}  // namespace boxtool::plugins
