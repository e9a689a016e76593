// Distinctive secrets through every credential source (command line, standard input, docker
// config, a credential helper, the encrypted store, a token server's password grant) and every
// output (oci, oci-archive, docker-archive, rootfs, JSON progress, failures): the secret never
// appears in what boxtool prints, writes, stores, or hands to the processes it starts.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"
#include "harness/token_server.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;

const std::string kUser = "secret-scan-user";
const std::string kSecret = "Zq7-S3cr3t-Marker-91x";          // the registry password
const std::string kWrongSecret = "Wr0ng-S3cr3t-Marker-55y";    // a rejected one
const std::string kTokenSecret = "T0ken-S3cr3t-Marker-22z";     // a token server's password
const std::string kStoreKey = "9a8b7c6d5e4f30211a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";

class SecretScan : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                       "secret/app:v1", harness::Credentials{kUser, kSecret});
        fs::create_directories(env.path("bin"));
        fs::create_directories(env.path("child"));
    }

    std::vector<std::string> secrets() const {
        return {kSecret,
                kWrongSecret,
                kTokenSecret,
                kStoreKey,
                harness::base64(kUser + ":" + kSecret),
                harness::base64(kUser + ":" + kWrongSecret),
                harness::base64("tuser:" + kTokenSecret)};
    }
    // Everything a run printed.
    void scan(const RunResult& r, const std::string& what) {
        for (const auto& s : secrets()) {
            EXPECT_EQ(r.out.find(s), std::string::npos) << what << ": secret on stdout:\n" << r.out;
            EXPECT_EQ(r.err.find(s), std::string::npos) << what << ": secret on stderr:\n" << r.err;
        }
        ++runs;
    }
    // Every file under `dir` but the ones where the user deliberately keeps a secret.
    void scan_files(const fs::path& dir, const std::vector<fs::path>& kept_secrets) {
        for (const auto& f : harness::list_files(dir)) {
            if (std::find(kept_secrets.begin(), kept_secrets.end(), f) != kept_secrets.end()) continue;
            std::string bytes = harness::read_file(f);
            for (const auto& s : secrets()) EXPECT_EQ(bytes.find(s), std::string::npos) << "secret in " << f;
            ++files;
        }
    }
    RunResult pull(const std::vector<std::string>& args, RunOptions options = {}) {
        options.env.insert({"PATH", env.path("bin").string() + ":" + std::getenv("PATH")});
        std::vector<std::string> all = {"--insecure-registry", registry.host()};
        all.insert(all.end(), args.begin(), args.end());
        return env.pull(registry.host() + "/secret/app:v1", all, std::move(options));
    }
    fs::path write_config(const std::string& name, const std::string& json) {
        auto p = env.path(name);
        harness::write_file(p, json);
        return p;
    }

    harness::RegistryServer registry{{.users = {{kUser, kSecret}}}};
    CliEnv env;
    harness::ImageInfo image;
    int runs = 0;
    int files = 0;
};

TEST_F(SecretScan, ADistinctiveSecretAppearsNowhere) {
    // 1. On the command line (hidden from argv), with every output kind and JSON progress (with
    // the --debug request log among the events).
    auto flag = pull({"--creds", kUser + ":" + kSecret, "--output", oci_output(env.path("oci"), "v1"),
                      "--progress", "json", "--debug"});
    ASSERT_EQ(flag.exit_code, kOk) << flag.describe();
    scan(flag, "--creds");
    for (const auto& out : {"oci-archive:" + env.path("oci.tar").string(),
                            "docker-archive:" + env.path("docker.tar").string(),
                            "rootfs:" + env.path("rootfs").string()}) {
        auto r = pull({"--creds", kUser + ":" + kSecret, "--output", out, "--progress", "plain"});
        ASSERT_EQ(r.exit_code, kOk) << r.describe();
        scan(r, out);
    }
    // 2. On standard input.
    auto stdin_pull = pull({"--creds", kUser, "--password-stdin", "--store", env.path("store-stdin").string()},
                           {.stdin_text = kSecret + "\n"});
    ASSERT_EQ(stdin_pull.exit_code, kOk) << stdin_pull.describe();
    scan(stdin_pull, "--password-stdin");
    // 3. A rejected secret: the error names the source, never the secret.
    auto wrong = pull({"--creds", kUser + ":" + kWrongSecret, "--store", env.path("store-wrong").string(),
                       "--progress", "json", "--debug"});
    EXPECT_EQ(wrong.exit_code, kUnauthorized) << wrong.describe();
    scan(wrong, "rejected --creds");
    // 4. Docker's config.json.
    const fs::path docker_config = env.home() / ".docker" / "config.json";
    fs::create_directories(docker_config.parent_path());
    harness::write_file(docker_config, R"({"auths":{")" + registry.host() + R"(":{"auth":")" +
                                           harness::base64(kUser + ":" + kSecret) + R"("}}})");
    auto from_config = pull({"--store", env.path("store-config").string(), "--progress", "plain", "--debug"});
    ASSERT_EQ(from_config.exit_code, kOk) << from_config.describe();
    scan(from_config, "docker config");
    fs::remove(docker_config);
    // 5. A credential helper, which records the command line and environment it was given.
    const fs::path helper = env.path("bin") / "docker-credential-scan";
    harness::write_file(helper, "#!/bin/sh\ntr '\\0' ' ' < /proc/$$/cmdline > " +
                                    (env.path("child") / "helper-cmdline").string() + "\nenv > " +
                                    (env.path("child") / "helper-environ").string() +
                                    "\ncat > /dev/null\nprintf '{\"Username\":\"" + kUser + "\",\"Secret\":\"" +
                                    kSecret + "\"}'\n");
    ::chmod(helper.c_str(), 0755);
    auto helper_cfg =
        write_config("helper.json", R"({"credential_sources":[{"plugin":"helper","helper":"scan"}]})");
    auto from_helper = pull({"--config", helper_cfg.string(), "--store", env.path("store-helper").string()});
    ASSERT_EQ(from_helper.exit_code, kOk) << from_helper.describe();
    scan(from_helper, "credential helper");
    ASSERT_TRUE(fs::exists(env.path("child") / "helper-environ")) << "the helper never ran";
    // 6. The encrypted credential store, added from standard input, used by name.
    std::map<std::string, std::string> key{{"BOXTOOL_STORE_KEY", kStoreKey}};
    auto add = env.boxtool({"registry", "add", "scan-reg", "--server", "http://" + registry.host(), "--username",
                            kUser, "--password-stdin", "--credential-store", env.path("creds.store").string()},
                           {.env = key, .stdin_text = kSecret + "\n"});
    ASSERT_EQ(add.exit_code, kOk) << add.describe();
    scan(add, "registry add");
    auto list = env.boxtool({"registry", "list", "--json", "--credential-store", env.path("creds.store").string()},
                            {.env = key});
    scan(list, "registry list");
    auto by_name = pull({"--credential", "scan-reg", "--credential-store", env.path("creds.store").string(),
                         "--store", env.path("store-named").string()},
                        {.env = key});
    ASSERT_EQ(by_name.exit_code, kOk) << by_name.describe();
    scan(by_name, "encrypted store");
    // 7. A token server's OAuth2 password grant (and its GET fallback).
    harness::TokenServer tokens({.users = {{"tuser", kTokenSecret, {"secret/*"}}},
                                 .admin = harness::Credentials{"admin", "admin-pw"}});
    tokens.start();
    harness::RegistryServer token_registry({.token = tokens.registry_auth()});
    token_registry.start();
    harness::push_image(env.path("src"), "v1", token_registry.host(), "secret/app:v1",
                        harness::Credentials{"admin", "admin-pw"});
    auto token_pull = env.pull(token_registry.host() + "/secret/app:v1",
                               {"--insecure-registry", token_registry.host(), "--creds", "tuser:" + kTokenSecret,
                                "--store", env.path("store-token").string(), "--progress", "json"});
    ASSERT_EQ(token_pull.exit_code, kOk) << token_pull.describe();
    scan(token_pull, "token grant");
    // 8. The store commands print nothing secret either.
    for (const auto& sub : {"ls", "du", "verify"}) scan(env.boxtool({"store", sub, "--store", env.store().string()}), sub);

    // Every file left behind: stores (blobs, records, verified-at records, partials), outputs,
    // HOME, and what the helper process was given. The encrypted store and the helper script hold
    // secrets on purpose; the encrypted store must not hold them in clear.
    scan_files(env.root(), {helper, env.path("creds.store")});
    const std::string encrypted = harness::read_file(env.path("creds.store"));
    EXPECT_EQ(encrypted.find(kSecret), std::string::npos);
    std::cerr << "secret scan: " << runs << " runs and " << files << " files scanned, " << secrets().size()
              << " secret forms\n";
}

}  // namespace
}  // namespace boxtool::conformance
