// Credentials from every source of the plugin chain, against an htpasswd registry:2: docker's
// config.json and containers' auth.json, the real docker-credential-pass (credHelpers and
// credsStore), the encrypted store, namespace-scoped keys; failures name the source; "not found"
// falls through; secrets never appear in any output.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/token_server.hpp"

namespace boxtool::conformance {
namespace {

const std::string kUser = "chain-user";
const std::string kPassword = "Chain-Pa55-5b1e9d";
const std::string kWrong = "Wrong-Chain-Pa55-c04f7a";
const std::string kStoreKey = "5f0c9d1e2a3b4c5d6e7f80911a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";

// harness::write_file, creating the folders on the way.
void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    harness::write_file(path, text);
}

class CredentialSources : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                       "e2e/private:v1", harness::Credentials{kUser, kPassword});
        harness::push_image(env.path("src"), "v1", registry.host(), "other/app:v1",
                            harness::Credentials{kUser, kPassword});
    }
    void TearDown() override {
        if (gpg_started_) harness::run({"gpgconf", "--kill", "gpg-agent"}, {.env = gpg_env()});
    }

    RunResult pull(const std::string& repo, const std::vector<std::string>& extra = {},
                   RunOptions options = {}) {
        std::vector<std::string> args{"--insecure-registry", registry.host()};
        args.insert(args.end(), extra.begin(), extra.end());
        options.env.insert({"PATH", env.path("bin").string() + ":" + std::getenv("PATH")});
        return env.pull(registry.host() + "/" + repo + ":v1", args, std::move(options));
    }
    void docker_config(const std::string& json) { write(env.home() / ".docker/config.json", json); }
    std::string auth_entry(const std::string& user, const std::string& pass) {
        return R"({"auth":")" + harness::base64(user + ":" + pass) + R"("})";
    }
    std::filesystem::path config(const std::string& json) {
        auto path = env.path("boxtool.json");
        write(path, json);
        return path;
    }
    // A docker-credential-NAME script in the test's bin folder (first on PATH for pulls).
    void helper_script(const std::string& name, const std::string& body) {
        auto path = env.path("bin") / ("docker-credential-" + name);
        write(path, "#!/bin/sh\n" + body);
        ::chmod(path.c_str(), 0755);
    }
    std::map<std::string, std::string> gpg_env() {
        return {{"HOME", env.home().string()}, {"GNUPGHOME", (env.home() / ".gnupg").string()}};
    }
    // A throwaway GnuPG key and password store in the test's HOME, holding the registry's password
    // for docker-credential-pass, exactly as `docker login` with credsStore "pass" would leave it.
    void store_in_pass(const std::string& server, const std::string& user, const std::string& secret) {
        std::filesystem::create_directories(env.home() / ".gnupg");
        ::chmod((env.home() / ".gnupg").c_str(), 0700);
        gpg_started_ = true;
        auto gen = harness::run({"gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                                 "boxtool e2e <e2e@boxtool.invalid>", "default", "default", "never"},
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
        auto store = harness::run({"docker-credential-pass", "store"},
                                  {.env = gpg_env(),
                                   .stdin_text = R"({"ServerURL":")" + server + R"(","Username":")" + user +
                                                 R"(","Secret":")" + secret + R"("})"});
        ASSERT_EQ(store.exit_code, 0) << store.describe();
    }
    RunResult registry_cli(const std::vector<std::string>& args, RunOptions options = {}) {
        options.env.insert({"BOXTOOL_STORE_KEY", kStoreKey});
        std::vector<std::string> all{"registry"};
        all.insert(all.end(), args.begin(), args.end());
        all.insert(all.end(), {"--credential-store", env.path("creds.store").string()});
        return env.boxtool(all, std::move(options));
    }
    static void expect_no_secret(const RunResult& r) {
        for (const auto& secret : {kPassword, kWrong, kStoreKey, harness::base64(kUser + ":" + kPassword)}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret leaked to stdout:\n" << r.out;
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret leaked to stderr:\n" << r.err;
        }
    }

    harness::RegistryServer registry{{.users = {{kUser, kPassword}}}};
    CliEnv env;
    harness::ImageInfo image;
    bool gpg_started_ = false;
};

TEST_F(CredentialSources, DockerConfigAuthsIsTheDefaultSource) {
    docker_config(R"({"auths":{")" + registry.host() + R"(":)" + auth_entry(kUser, kPassword) + "}}");
    auto r = pull("e2e/private");
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    expect_no_secret(r);
}

TEST_F(CredentialSources, DockerConfigHonoursDOCKER_CONFIG) {
    write(env.path("dc/config.json"), R"({"auths":{"http://)" + registry.host() + R"(/v1/":{"username":")" +
                                          kUser + R"(","password":")" + kPassword + R"("}}})");
    auto r = pull("e2e/private", {}, {.env = {{"DOCKER_CONFIG", env.path("dc").string()}}});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
}

TEST_F(CredentialSources, ContainersAuthFileFromREGISTRY_AUTH_FILE) {
    write(env.path("auth.json"),
          R"({"auths":{")" + registry.host() + R"(":)" + auth_entry(kUser, kPassword) + "}}");
    docker_config(R"({"auths":{")" + registry.host() + R"(":)" + auth_entry(kUser, kWrong) + "}}");
    auto r = pull("e2e/private", {}, {.env = {{"REGISTRY_AUTH_FILE", env.path("auth.json").string()}}});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();  // podman's order: the auth file before docker's
}

TEST_F(CredentialSources, NamespaceScopedKeyWinsForItsRepositories) {
    docker_config(R"({"auths":{")" + registry.host() + R"(/e2e":)" + auth_entry(kUser, kPassword) + R"(,")" +
                  registry.host() + R"(":)" + auth_entry(kUser, kWrong) + "}}");
    auto r = pull("e2e/private");
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    // Outside the namespace, the host-wide (wrong) entry applies, and the error says which it was.
    auto other = pull("other/app");
    EXPECT_EQ(other.exit_code, kUnauthorized) << other.describe();
    EXPECT_NE(other.err.find("auths[\"" + registry.host() + "\"]"), std::string::npos) << other.err;
    expect_no_secret(other);
}

TEST_F(CredentialSources, RejectedCredentialsNameTheirSource) {
    docker_config(R"({"auths":{")" + registry.host() + R"(":)" + auth_entry(kUser, kWrong) + "}}");
    auto r = pull("e2e/private");
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    EXPECT_NE(r.err.find((env.home() / ".docker/config.json").string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("docker-config"), std::string::npos) << r.err;
    expect_no_secret(r);
}

TEST_F(CredentialSources, CommandLineCredsWinOverTheChain) {
    docker_config(R"({"auths":{")" + registry.host() + R"(":)" + auth_entry(kUser, kWrong) + "}}");
    auto r = pull("e2e/private", {"--creds", kUser, "--password-stdin"}, {.stdin_text = kPassword});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
}

TEST_F(CredentialSources, CredHelpersWithTheRealDockerCredentialPass) {
    store_in_pass(registry.host(), kUser, kPassword);
    if (HasFatalFailure()) return;
    docker_config(R"({"auths":{")" + registry.host() + R"(":)" + auth_entry(kUser, kWrong) +
                  R"(},"credHelpers":{")" + registry.host() + R"(":"pass"}})");
    auto r = pull("e2e/private", {}, {.env = gpg_env()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    expect_no_secret(r);
}

TEST_F(CredentialSources, CredsStoreWithTheRealDockerCredentialPass) {
    store_in_pass(registry.host(), kUser, kPassword);
    if (HasFatalFailure()) return;
    docker_config(R"({"auths":{")" + registry.host() + R"(":{}},"credsStore":"pass"})");
    auto r = pull("e2e/private", {}, {.env = gpg_env()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    expect_no_secret(r);
}

TEST_F(CredentialSources, HelperSourceRunsOncePerPull) {
    helper_script("counted", "read server\necho \"$server\" >> " + env.path("calls.log").string() +
                                 "\nprintf '{\"Username\":\"" + kUser + "\",\"Secret\":\"" + kPassword +
                                 "\"}'\n");
    auto cfg = config(R"({"credential_sources":[{"plugin":"helper","helper":"counted"}]})");
    auto r = pull("e2e/private", {"--config", cfg.string()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(harness::read_file(env.path("calls.log")), registry.host() + "\n");  // once, not once per blob
    expect_no_secret(r);
}

TEST_F(CredentialSources, NotFoundInTheFirstSourceFallsThroughToTheSecond) {
    helper_script("empty", "cat >/dev/null\necho 'credentials not found in native keychain'\nexit 1\n");
    docker_config(R"({"auths":{")" + registry.host() + R"(":)" + auth_entry(kUser, kPassword) + "}}");
    auto cfg =
        config(R"({"credential_sources":[{"plugin":"helper","helper":"empty"},{"plugin":"docker-config"}]})");
    auto r = pull("e2e/private", {"--config", cfg.string()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
}

TEST_F(CredentialSources, RegistryGlobsKeepASourceAway) {
    helper_script("leaky", "cat >/dev/null\necho called >> " + env.path("leaky.log").string() +
                               "\nprintf '{\"Username\":\"x\",\"Secret\":\"" + kWrong + "\"}'\n");
    docker_config(R"({"auths":{")" + registry.host() + R"(":)" + auth_entry(kUser, kPassword) + "}}");
    auto cfg = config(
        R"({"credential_sources":[{"plugin":"helper","helper":"leaky","registries":["*.amazonaws.com"]},
                                                 {"plugin":"docker-config"}]})");
    auto r = pull("e2e/private", {"--config", cfg.string()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_FALSE(std::filesystem::exists(env.path("leaky.log")));
}

TEST_F(CredentialSources, AFailingHelperIsReportedNotSwallowed) {
    helper_script("broken",
                  "cat >/dev/null\necho 'vault sealed, token hvs.CAESIJ1a2b3c4d5e6f7g8h' >&2\nexit 2\n");
    docker_config(R"({"auths":{")" + registry.host() + R"(":)" + auth_entry(kUser, kPassword) + "}}");
    auto cfg = config(
        R"({"credential_sources":[{"plugin":"helper","helper":"broken"},{"plugin":"docker-config"}]})");
    auto r = pull("e2e/private", {"--config", cfg.string()});
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("docker-credential-broken exited with status 2"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("vault sealed"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("hvs.CAESIJ1a2b3c4d5e6f7g8h"), std::string::npos) << "helper stderr not redacted:\n"
                                                                           << r.err;
    EXPECT_TRUE(harness::list_files(env.store() / "blobs").empty());
}

TEST_F(CredentialSources, EncryptedStoreThroughTheChainAndByName) {
    auto add = registry_cli({"add", "private-reg", "--server", "http://" + registry.host(), "--username",
                             kUser, "--password-stdin"},
                            {.stdin_text = kPassword + "\n"});
    ASSERT_EQ(add.exit_code, kOk) << add.describe();
    expect_no_secret(add);
    struct stat st {};
    ASSERT_EQ(::stat(env.path("creds.store").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(harness::read_file(env.path("creds.store")).find(kPassword), std::string::npos);

    std::map<std::string, std::string> key{{"BOXTOOL_STORE_KEY", kStoreKey}};
    auto cfg = config(R"({"credential_sources":[{"plugin":"encrypted-store","path":")" +
                      env.path("creds.store").string() + R"("}]})");
    auto via_chain = pull("e2e/private", {"--config", cfg.string()}, {.env = key});
    ASSERT_EQ(via_chain.exit_code, kOk) << via_chain.describe();
    expect_no_secret(via_chain);

    auto by_name =
        pull("e2e/private",
             {"--credential", "private-reg", "--credential-store", env.path("creds.store").string()},
             {.env = key});
    ASSERT_EQ(by_name.exit_code, kOk) << by_name.describe();

    // A disabled entry is skipped by the chain.
    ASSERT_EQ(registry_cli({"update", "private-reg", "--disable"}).exit_code, kOk);
    auto disabled =
        pull("e2e/private", {"--config", cfg.string(), "--store", env.path("store2").string()}, {.env = key});
    EXPECT_EQ(disabled.exit_code, kUnauthorized) << disabled.describe();

    // With its only entry disabled, the store's index has nothing for the registry: the key is not
    // even needed (a wrong one goes unnoticed), and the pull is anonymous.
    auto unconsulted = pull("e2e/private", {"--config", cfg.string(), "--store", env.path("store3").string()},
                            {.env = {{"BOXTOOL_STORE_KEY", std::string(64, 'a')}}});
    EXPECT_EQ(unconsulted.exit_code, kUnauthorized) << unconsulted.describe();
    EXPECT_EQ(unconsulted.err.find("wrong key"), std::string::npos) << unconsulted.err;

    // Enabled again, the wrong key is refused clearly and the file is left alone.
    ASSERT_EQ(registry_cli({"update", "private-reg", "--enable"}).exit_code, kOk);
    std::string before = harness::read_file(env.path("creds.store"));
    auto wrong = pull("e2e/private", {"--config", cfg.string()},
                      {.env = {{"BOXTOOL_STORE_KEY", std::string(64, 'a')}}});
    EXPECT_NE(wrong.exit_code, kOk);
    EXPECT_NE(wrong.err.find("wrong key"), std::string::npos) << wrong.err;
    EXPECT_EQ(harness::read_file(env.path("creds.store")), before);
}

TEST_F(CredentialSources, RegistryCommandsNeverPrintPasswordsAndUpdateOnlyWhatIsGiven) {
    ASSERT_EQ(registry_cli({"add", "r1", "--server", registry.host(), "--username", kUser, "--email",
                            "ops@example.com", "--password-stdin"},
                           {.stdin_text = kWrong})
                  .exit_code,
              kOk);
    auto list = registry_cli({"list"});
    ASSERT_EQ(list.exit_code, kOk) << list.describe();
    EXPECT_NE(list.out.find("r1"), std::string::npos);
    EXPECT_NE(list.out.find(registry.host()), std::string::npos);
    auto show = registry_cli({"show", "r1", "--json"});
    ASSERT_EQ(show.exit_code, kOk);
    EXPECT_NE(show.out.find("ops@example.com"), std::string::npos);
    for (const auto& r : {list, show}) expect_no_secret(r);

    // Rotate the password only: the rest stays.
    ASSERT_EQ(registry_cli({"update", "r1", "--password-stdin"}, {.stdin_text = kPassword}).exit_code, kOk);
    auto after = registry_cli({"show", "r1", "--json"});
    EXPECT_NE(after.out.find("ops@example.com"), std::string::npos) << after.out;
    EXPECT_NE(after.out.find(kUser), std::string::npos);
    auto r =
        pull("e2e/private", {"--credential", "r1", "--credential-store", env.path("creds.store").string()},
             {.env = {{"BOXTOOL_STORE_KEY", kStoreKey}}});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();

    // Passwords never come from arguments.
    auto argv_password =
        registry_cli({"add", "r2", "--server", "x.io", "--username", "u", "--password", "p"});
    EXPECT_EQ(argv_password.exit_code, kUsage);
    // `registry add HOST --username U`, as `docker login HOST`: named after the host.
    ASSERT_EQ(registry_cli({"add", "other.example:5000", "--username", "u", "--password-stdin"},
                           {.stdin_text = "pw"})
                  .exit_code,
              kOk);
    EXPECT_NE(registry_cli({"show", "other.example:5000"}).out.find("server:   other.example:5000"),
              std::string::npos);
    ASSERT_EQ(registry_cli({"rm", "r1"}).exit_code, kOk);
    EXPECT_EQ(registry_cli({"show", "r1"}).exit_code, kUsage);
}

TEST_F(CredentialSources, AStoreReadableByOthersIsRefused) {
    ASSERT_EQ(
        registry_cli({"add", "r1", "--server", registry.host(), "--username", kUser, "--password-stdin"},
                     {.stdin_text = kPassword})
            .exit_code,
        kOk);
    ::chmod(env.path("creds.store").c_str(), 0644);
    auto r = registry_cli({"list"});
    EXPECT_NE(r.exit_code, kOk);
    EXPECT_NE(r.err.find("readable or writable by other users"), std::string::npos) << r.err;
}

TEST_F(CredentialSources, AnUnsafePluginIsRefusedBeforeAnythingIsPulled) {
    auto dir = env.path("plugins");
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(std::filesystem::path(BOXTOOL_PLUGIN_BUILD_DIR) / "helper.so",
                               dir / "helper.so");
    ::chmod((dir / "helper.so").c_str(), 0666);
    auto cfg = config(R"({"plugin_dirs":[")" + dir.string() + R"("],
                          "credential_sources":[{"plugin":"helper","helper":"x"}]})");
    auto r = pull("e2e/private", {"--config", cfg.string()});
    EXPECT_NE(r.exit_code, kOk);
    EXPECT_NE(r.err.find((dir / "helper.so").string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("writable by other users"), std::string::npos) << r.err;
    EXPECT_TRUE(harness::list_files(env.store() / "blobs").empty());
}

// docker's "registrytoken": a bearer token used as is, with no trip to the token server.
TEST(CredentialSourcesTokenAuth, RegistryTokenFromDockerConfigIsUsedAsIs) {
    const harness::Credentials admin{"seeder", "Admin-Pa55-71c2aa"};
    harness::TokenServer tokens({.users = {{"alice", "Alice-Pa55-0d9e1f", {"team/*"}}}, .admin = admin});
    tokens.start();
    harness::RegistryServer registry(harness::RegistryOptions{.token = tokens.registry_auth()});
    registry.start();
    CliEnv env;
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                        "team/app:v1", admin);
    // A token for alice, fetched the way `docker login` would have before storing it.
    auto answer = harness::http_request(
        "GET", tokens.host(), "/token?service=" + tokens.service() + "&scope=repository:team/app:pull",
        {{"Authorization", harness::basic_auth("alice", "Alice-Pa55-0d9e1f")}});
    ASSERT_EQ(answer.status, 200) << answer.body;
    auto start = answer.body.find("\"token\"");
    ASSERT_NE(start, std::string::npos) << answer.body;
    start = answer.body.find('"', answer.body.find(':', start)) + 1;
    std::string token = answer.body.substr(start, answer.body.find('"', start) - start);
    write(env.home() / ".docker/config.json",
          R"({"auths":{")" + registry.host() + R"(":{"registrytoken":")" + token + R"("}}})");
    auto before = tokens.requests().size();
    auto r = env.pull(registry.host() + "/team/app:v1", {"--insecure-registry", registry.host()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    EXPECT_EQ(tokens.requests().size(), before) << "the registry token was not used as is";
    EXPECT_EQ(r.err.find(token), std::string::npos) << "the token leaked";
}

// docker's "identitytoken" from config.json: an OAuth2 refresh token, exchanged at the realm with a
// POST grant_type=refresh_token, never sent to the registry itself and never printed.
TEST(CredentialSourcesTokenAuth, IdentityTokenFromDockerConfigIsExchangedWithARefreshGrant) {
    const harness::Credentials admin{"seeder", "Admin-Pa55-3b9f0e"};
    const std::string refresh = "Refresh-70k3n-c7d1e4";
    harness::TokenServer tokens({.users = {{"alice", "Alice-Pa55-6a2b7c", {"team/*"}}},
                                 .admin = admin,
                                 .refresh_tokens = {{"alice", refresh}}});
    tokens.start();
    harness::RegistryServer registry(harness::RegistryOptions{.token = tokens.registry_auth()});
    registry.start();
    CliEnv env;
    auto image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                        "team/app:v1", admin);
    // What `docker login` leaves for an OAuth2 registry: "<token>" as the user, the refresh token apart.
    write(env.home() / ".docker/config.json", R"({"auths":{")" + registry.host() + R"(":{"auth":")" +
                                                  harness::base64("<token>:") + R"(","identitytoken":")" +
                                                  refresh + R"("}}})");
    auto before = tokens.requests().size();
    auto r = env.pull(registry.host() + "/team/app:v1", {"--insecure-registry", registry.host()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    auto all = tokens.requests();
    ASSERT_EQ(all.size(), before + 1) << harness::read_file(tokens.log_path());
    EXPECT_EQ(all.back().method, "POST");
    EXPECT_EQ(all.back().user, "alice") << "the refresh token was not what the server saw";
    EXPECT_EQ(all.back().status, 200);
    EXPECT_EQ(r.out.find(refresh), std::string::npos);
    EXPECT_EQ(r.err.find(refresh), std::string::npos);
}

}  // namespace
}  // namespace boxtool::conformance
