// boxtool login / logout against a real registry:2 (htpasswd, and token auth with the token
// server): credentials are checked before anything is stored, stored where asked (the encrypted
// store, docker's config.json "auths", or the real docker-credential-pass through credsStore), used
// by a plain pull afterwards, removed by logout, and never printed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/token_server.hpp"

namespace boxtool::conformance {
namespace {

const std::string kUser = "login-user";
const std::string kPassword = "Login-Pa55-8d2e41";
const std::string kWrong = "Wrong-Login-Pa55-71c0";
const std::string kStoreKey = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

class LoginTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 1}, registry.host(),
                               "team/app:v1", harness::Credentials{kUser, kPassword});
    }
    void TearDown() override {
        if (gpg_started_) harness::run({"gpgconf", "--kill", "gpg-agent"}, {.env = gpg_env()});
    }
    RunOptions with_key(RunOptions o = {}) const {
        o.env.insert({"BOXTOOL_STORE_KEY", kStoreKey});
        return o;
    }
    RunResult login(const std::vector<std::string>& extra, const std::string& password,
                    RunOptions o = {}) const {
        std::vector<std::string> args{"login",        registry.host(),    "-u",
                                      kUser,          "--password-stdin", "--insecure-registry",
                                      registry.host()};
        args.insert(args.end(), extra.begin(), extra.end());
        o.stdin_text = password;
        return env.boxtool(args, with_key(std::move(o)));
    }
    RunResult pull(RunOptions o = {}) const {
        return env.pull(registry.host() + "/team/app:v1", {"--insecure-registry", registry.host()},
                        with_key(std::move(o)));
    }
    std::filesystem::path store_file() const { return env.home() / ".config/boxtool/credentials.store"; }
    std::filesystem::path docker_config() const { return env.home() / ".docker/config.json"; }
    static void expect_no_secret(const RunResult& r) {
        for (const auto& secret : {kPassword, kWrong, kStoreKey, harness::base64(kUser + ":" + kPassword)}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret on stdout:\n" << r.out;
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret on stderr:\n" << r.err;
        }
    }
    std::map<std::string, std::string> gpg_env() const {
        return {{"HOME", env.home().string()}, {"GNUPGHOME", (env.home() / ".gnupg").string()}};
    }
    void init_pass() {
        std::filesystem::create_directories(env.home() / ".gnupg");
        ::chmod((env.home() / ".gnupg").c_str(), 0700);
        gpg_started_ = true;
        auto gen = harness::run({"gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                                 "boxtool login <login@boxtool.invalid>", "default", "default", "never"},
                                {.env = gpg_env()});
        ASSERT_EQ(gen.exit_code, 0) << gen.describe();
        auto keys = harness::run({"gpg", "--list-keys", "--with-colons"}, {.env = gpg_env()});
        auto at = keys.out.find("\nfpr:");
        ASSERT_NE(at, std::string::npos) << keys.describe();
        auto fields = keys.out.substr(at + 1, keys.out.find('\n', at + 1) - at - 1);
        std::string fpr = fields.substr(0, fields.size() - 1);
        fpr = fpr.substr(fpr.rfind(':') + 1);
        auto init = harness::run({"pass", "init", fpr}, {.env = gpg_env()});
        ASSERT_EQ(init.exit_code, 0) << init.describe();
    }

    harness::RegistryServer registry{{.users = {{kUser, kPassword}}}};
    CliEnv env;
    bool gpg_started_ = false;
};

TEST_F(LoginTest, WrongPasswordIsRefusedAndNothingIsStored) {
    auto r = login({}, kWrong);
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    EXPECT_NE(r.err.find("nothing was stored"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(store_file())) << "a refused login wrote the store";
    EXPECT_FALSE(std::filesystem::exists(docker_config()));
    expect_no_secret(r);
}

TEST_F(LoginTest, EncryptedStoreByDefaultThenAPlainPullUsesIt) {
    ASSERT_EQ(pull().exit_code, kUnauthorized) << "the registry must need credentials";
    auto r = login({}, kPassword);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("Login Succeeded"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("Basic authentication"), std::string::npos) << r.err;
    ASSERT_TRUE(std::filesystem::exists(store_file()));
    EXPECT_EQ(std::filesystem::status(store_file()).permissions() & std::filesystem::perms::group_all,
              std::filesystem::perms::none);
    EXPECT_EQ(harness::read_file(store_file()).find(kPassword), std::string::npos) << "stored in clear";
    expect_no_secret(r);
    auto listed = env.boxtool({"registry", "list"}, with_key());
    EXPECT_NE(listed.out.find(registry.host()), std::string::npos) << listed.describe();
    auto p = pull();
    EXPECT_EQ(p.exit_code, kOk) << p.describe();
    // Again: the entry is replaced, not duplicated.
    ASSERT_EQ(login({}, kPassword).exit_code, kOk);
    auto again = env.boxtool({"registry", "list", "--json"}, with_key());
    EXPECT_EQ(std::count(again.out.begin(), again.out.end(), '{'), 1) << "not one entry: " << again.out;

    auto out = env.boxtool({"logout", registry.host()}, with_key());
    ASSERT_EQ(out.exit_code, kOk) << out.describe();
    EXPECT_NE(out.out.find("Removed"), std::string::npos) << out.out;
    EXPECT_EQ(pull().exit_code, kUnauthorized) << "logout left the credentials usable";
    auto twice = env.boxtool({"logout", registry.host()}, with_key());
    EXPECT_EQ(twice.exit_code, kOk) << twice.describe();
    EXPECT_NE(twice.out.find("Not logged in"), std::string::npos) << twice.out;
}

TEST_F(LoginTest, DockerConfigAuthsKeepsOtherKeys) {
    std::filesystem::create_directories(docker_config().parent_path());
    harness::write_file(docker_config(), R"({"auths":{"other.example":{"auth":"eDp5"}},"psFormat":"table"})");
    auto r = login({"--to", "docker-config"}, kPassword);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    std::string text = harness::read_file(docker_config());
    EXPECT_NE(text.find("\"" + registry.host() + "\""), std::string::npos) << text;
    EXPECT_NE(text.find(harness::base64(kUser + ":" + kPassword)), std::string::npos) << text;
    EXPECT_NE(text.find("other.example"), std::string::npos) << text;
    EXPECT_NE(text.find("psFormat"), std::string::npos) << text;
    EXPECT_EQ(std::filesystem::status(docker_config()).permissions() & std::filesystem::perms::others_all,
              std::filesystem::perms::none);
    EXPECT_FALSE(std::filesystem::exists(store_file()));
    expect_no_secret(r);
    // skopeo reads what was written: the same file works for docker's tools.
    auto skopeo = harness::run(
        {"skopeo", "inspect", "--tls-verify=false", "docker://" + registry.host() + "/team/app:v1"},
        {.env = {{"HOME", env.home().string()}, {"REGISTRY_AUTH_FILE", docker_config().string()}}});
    EXPECT_EQ(skopeo.exit_code, 0) << skopeo.describe();
    EXPECT_EQ(pull().exit_code, kOk);
    auto out = env.boxtool({"logout", registry.host(), "--from", "docker-config"});
    ASSERT_EQ(out.exit_code, kOk) << out.describe();
    text = harness::read_file(docker_config());
    EXPECT_EQ(text.find(registry.host()), std::string::npos) << text;
    EXPECT_NE(text.find("other.example"), std::string::npos) << text;
}

TEST_F(LoginTest, CredsStoreHelperAsDockerLoginDoes) {
    init_pass();
    std::filesystem::create_directories(docker_config().parent_path());
    harness::write_file(docker_config(), R"({"credsStore":"pass"})");
    auto r = login({"--to", "docker-config"}, kPassword, {.env = gpg_env()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("docker-credential-pass"), std::string::npos) << r.out;
    EXPECT_EQ(harness::read_file(docker_config()).find(harness::base64(kUser + ":" + kPassword)),
              std::string::npos);
    auto got =
        harness::run({"docker-credential-pass", "get"}, {.env = gpg_env(), .stdin_text = registry.host()});
    ASSERT_EQ(got.exit_code, 0) << got.describe();
    EXPECT_NE(got.out.find(kPassword), std::string::npos) << "the helper does not hold the password";
    EXPECT_EQ(pull({.env = gpg_env()}).exit_code, kOk);
    auto out = env.boxtool({"logout", registry.host()}, with_key({.env = gpg_env()}));
    ASSERT_EQ(out.exit_code, kOk) << out.describe();
    EXPECT_NE(out.out.find("docker-credential-pass"), std::string::npos) << out.out;
    // Debian's helper answers an erased entry with empty fields, others with an error: either way,
    // the password is gone.
    auto gone =
        harness::run({"docker-credential-pass", "get"}, {.env = gpg_env(), .stdin_text = registry.host()});
    EXPECT_EQ(gone.out.find(kPassword), std::string::npos) << "logout did not erase the helper's entry: "
                                                           << gone.describe();
    EXPECT_EQ(pull({.env = gpg_env()}).exit_code, kUnauthorized);
}

TEST_F(LoginTest, PasswordOnTheCommandLineOnlyWithAWarning) {
    auto r = env.boxtool({"login", registry.host(), "-u", kUser, "--password", kPassword,
                          "--insecure-registry", registry.host()},
                         with_key());
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
    // Without a terminal and without --password-stdin there is nothing to read a password from.
    auto none = env.boxtool({"login", registry.host(), "-u", kUser}, with_key());
    EXPECT_EQ(none.exit_code, kUsage) << none.describe();
    auto bad = env.boxtool({"login", registry.host(), "-u", kUser, "--password-stdin", "--to", "keychain"},
                           with_key({.stdin_text = kPassword}));
    EXPECT_EQ(bad.exit_code, kUsage) << bad.describe();
}

TEST(LoginTokenTest, TokenRealmChecksTheCredentials) {
    harness::TokenServer tokens({.users = {{"alice", "Alice-Pa55-19fe", {"team/*"}}},
                                 .admin = harness::Credentials{"admin", "Admin-Pa55-2c81"}});
    tokens.start();
    harness::RegistryServer registry({.token = tokens.registry_auth()});
    registry.start();
    CliEnv env;
    auto run = [&](const std::string& password) {
        return env.boxtool({"login", registry.host(), "-u", "alice", "--password-stdin", "--to",
                            "docker-config", "--insecure-registry", registry.host()},
                           {.stdin_text = password});
    };
    auto bad = run("nope");
    EXPECT_EQ(bad.exit_code, kUnauthorized) << bad.describe();
    EXPECT_GE(tokens.count_requests("alice", 401), 1) << "the token server was not asked";
    auto good = run("Alice-Pa55-19fe");
    ASSERT_EQ(good.exit_code, kOk) << good.describe();
    EXPECT_NE(good.err.find("a token from 127.0.0.1"), std::string::npos) << good.err;
    EXPECT_TRUE(std::filesystem::exists(env.home() / ".docker/config.json"));
}

}  // namespace
}  // namespace boxtool::conformance
