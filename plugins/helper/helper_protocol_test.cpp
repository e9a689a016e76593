#include "helper_protocol.hpp"

#include <gtest/gtest.h>

#include "../loader/test_support.hpp"

namespace boxtool::plugins {
namespace {

// A folder of docker-credential-* test scripts, put first on PATH for the test's duration.
class HelperProtocol : public ::testing::Test {
  protected:
    void add(const std::string& name, const std::string& body) {
        testing::write_file(dir_ / ("docker-credential-" + name), "#!/bin/sh\n" + body, 0755);
    }
    testing::TempDir dir_;
    testing::ScopedEnv path_{"PATH", dir_.path().string() + ":/usr/bin:/bin"};
};

TEST_F(HelperProtocol, ReadsAnAnswerAndPassesTheServerOnStdin) {
    add("echo", R"(read server
[ "$1" = get ] || exit 9
printf '{"ServerURL":"%s","Username":"user-for-%s","Secret":"s3cret"}' "$server" "$server")");
    auto answer = run_credential_helper("echo", "127.0.0.1:5000");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->username, "user-for-127.0.0.1:5000");
    EXPECT_EQ(answer->secret, "s3cret");
    EXPECT_FALSE(answer->identity_token);
}

TEST_F(HelperProtocol, TokenUsernameMeansAnIdentityToken) {
    add("tok", R"(cat >/dev/null; echo '{"Username":"<token>","Secret":"refresh-token"}')");
    auto answer = run_credential_helper("tok", "x.io");
    ASSERT_TRUE(answer);
    EXPECT_TRUE(answer->identity_token);
    EXPECT_EQ(answer->secret, "refresh-token");
}

TEST_F(HelperProtocol, NotFoundInNativeKeychainIsNothing) {
    add("none", "cat >/dev/null; echo 'credentials not found in native keychain'; exit 1");
    EXPECT_FALSE(run_credential_helper("none", "x.io"));
}

TEST_F(HelperProtocol, AFailureIsAnErrorWithRedactedStderr) {
    add("fail", "cat >/dev/null; echo 'backend rejected token ghp_AbCdEf1234567890XyZ' >&2; exit 3");
    try {
        run_credential_helper("fail", "x.io");
        FAIL();
    } catch (const std::runtime_error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("docker-credential-fail exited with status 3"), std::string::npos) << msg;
        EXPECT_NE(msg.find("backend rejected token <redacted>"), std::string::npos) << msg;
        EXPECT_EQ(msg.find("ghp_AbCdEf1234567890XyZ"), std::string::npos) << msg;
    }
}

TEST_F(HelperProtocol, ACrashIsAnError) {
    add("crash", "cat >/dev/null; kill -SEGV $$");
    try {
        run_credential_helper("crash", "x.io");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("killed by signal 11"), std::string::npos) << e.what();
    }
}

TEST_F(HelperProtocol, AHangingHelperIsKilledAfterTheTimeout) {
    // The child's own child keeps stdout open: the whole process group must go.
    add("hang", "cat >/dev/null; sleep 300 & sleep 300");
    HelperLimits limits;
    limits.timeout = std::chrono::milliseconds(500);
    try {
        run_credential_helper("hang", "x.io", limits);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("did not answer within"), std::string::npos) << e.what();
    }
}

TEST_F(HelperProtocol, HugeOutputIsAnError) {
    add("huge", "cat >/dev/null; head -c 1000000 /dev/zero | tr '\\0' a");
    try {
        run_credential_helper("huge", "x.io");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("printed more than 64 KiB"), std::string::npos) << e.what();
    }
}

TEST_F(HelperProtocol, MalformedJsonIsAnErrorThatDoesNotEchoTheOutput) {
    add("garbage", "cat >/dev/null; echo '{\"Username\":\"u\",\"Secret\":\"leaky-secret-123'");
    try {
        run_credential_helper("garbage", "x.io");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("leaky-secret-123"), std::string::npos) << e.what();
    }
    add("wrongtype", "cat >/dev/null; echo '{\"Username\":\"u\",\"Secret\":5}'");
    EXPECT_THROW(run_credential_helper("wrongtype", "x.io"), std::runtime_error);
}

TEST_F(HelperProtocol, TheChildGetsNoBoxtoolSecretsAndNoArgumentsButGet) {
    add("env", R"(cat >/dev/null
printf '{"Username":"%s|%s|%s","Secret":"x"}' "$BOXTOOL_STORE_KEY" "$#" "$1")");
    testing::ScopedEnv key("BOXTOOL_STORE_KEY",
                           "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    auto answer = run_credential_helper("env", "x.io");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->username, "|1|get");
}

TEST_F(HelperProtocol, MissingHelpersAndBadNamesAreErrors) {
    try {
        run_credential_helper("absent", "x.io");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("docker-credential-absent was not found on PATH"),
                  std::string::npos);
    }
    EXPECT_THROW(run_credential_helper("../../bin/sh", "x.io"), std::runtime_error);
    EXPECT_FALSE(valid_helper_name("a/b"));
    EXPECT_TRUE(valid_helper_name("ecr-login"));
}

}  // namespace
}  // namespace boxtool::plugins
