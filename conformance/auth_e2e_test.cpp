// An htpasswd registry: credentials missing or wrong give exit 4, right ones (flag or stdin)
// work, and the password is never echoed.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

// Distinctive, so finding them in any output is certain to be a leak.
const std::string kUser = "e2e-user";
const std::string kPassword = "Right-Pa55-8d1f0c";
const std::string kWrongPassword = "Wrong-Pa55-77ab3e";

class AuthTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                       "e2e/private:v1", harness::Credentials{kUser, kPassword});
    }

    RunResult pull(const std::vector<std::string>& extra, harness::RunOptions options = {}) {
        std::vector<std::string> args{"--insecure-registry", registry.host()};
        args.insert(args.end(), extra.begin(), extra.end());
        return env.pull(registry.host() + "/e2e/private:v1", args, std::move(options));
    }

    static void expect_no_secret(const RunResult& r) {
        for (const auto& secret : {kPassword, kWrongPassword}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "password leaked to stdout";
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "password leaked to stderr";
        }
    }

    harness::RegistryServer registry{{.users = {{kUser, kPassword}}}};
    CliEnv env;
    harness::ImageInfo image;
};

TEST_F(AuthTest, NoCredentialsIsUnauthorized) {
    auto r = pull({});
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    EXPECT_NE(r.err.find(registry.host()), std::string::npos) << "the registry is not named:\n" << r.err;
    EXPECT_TRUE(contains_icase(r.err, "authentication") || contains_icase(r.err, "unauthorized") ||
                contains_icase(r.err, "credentials"))
        << r.err;
}

TEST_F(AuthTest, WrongPasswordIsUnauthorized) {
    auto r = pull({"--creds", kUser + ":" + kWrongPassword});
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    expect_no_secret(r);
    EXPECT_FALSE(std::filesystem::exists(env.store() / "blobs/sha256" /
                                         image.manifests[0].layers[0].digest.substr(7)));
}

TEST_F(AuthTest, RightPasswordFromFlag) {
    auto r = pull({"--creds", kUser + ":" + kPassword, "--output", oci_output(env.path("out"), "v1")});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    expect_no_secret(r);
}

TEST_F(AuthTest, RightPasswordFromStdin) {
    // As `echo "$PASS" | boxtool ... --password-stdin` sends it: with a newline.
    auto r = pull({"--creds", kUser, "--password-stdin"}, {.stdin_text = kPassword + "\n"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    expect_no_secret(r);
}

TEST_F(AuthTest, WrongPasswordFromStdinIsUnauthorized) {
    auto r = pull({"--creds", kUser, "--password-stdin"}, {.stdin_text = kWrongPassword + "\n"});
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    expect_no_secret(r);
}

}  // namespace
}  // namespace boxtool::conformance
