// Saved credentials just work: entries added with `boxtool registry add` are found by a plain
// `boxtool pull` (the default chain is the encrypted store, then docker-config), matched like
// docker-config keys (namespace entries first, disabled ones skipped), asked for their key only when
// the store has an entry for the registry, and chosen explicitly by credential links. Entries may
// keep their secret in AWS SSM Parameter Store (written with PutParameter, read back with
// GetParameter, deleted by `registry rm`) or get ECR tokens, against the botocore-checked AWS
// stand-in. Real registry:2 instances throughout; no secret ever appears in the output.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "harness/aws_standin.hpp"
#include "harness/files.hpp"
#include "harness/http.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

const std::string kUser = "stored-user";
const std::string kPassword = "Stored-Pa55-7c1e2f";
const std::string kWrong = "Wrong-Stored-Pa55-93d0aa";
const std::string kStoreKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";
const std::string kEcrPassword = "Ecr-Token-Pa55-4b7d1c";
const std::string kEcrHost = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const harness::AwsKey kAwsKey{"AKIASTOREDCREDS00001", "stored/Secret+Access/Key0123456789abcd"};

void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    harness::write_file(path, text);
}

// One htpasswd registry (two users: the regular one, and AWS for ECR tokens) and one anonymous
// registry, seeded once for every test; each test has its own HOME, store and credential store.
class StoredCredentials : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        seed_ = std::make_unique<CliEnv>();
        secured_ = std::make_unique<harness::RegistryServer>(
            harness::RegistryOptions{.users = {{kUser, kPassword}, {"AWS", kEcrPassword}}});
        open_ = std::make_unique<harness::RegistryServer>();
        secured_->start();
        open_->start();
        harness::Credentials creds{kUser, kPassword};
        image_ = harness::make_and_push({.out = seed_->path("src"), .tag = "v1", .layers = 2},
                                        secured_->host(), "team/app:v1", creds);
        harness::push_image(seed_->path("src"), "v1", secured_->host(), "other/app:v1", creds);
        harness::push_image(seed_->path("src"), "v1", open_->host(), "public/app:v1");
    }
    static void TearDownTestSuite() {
        secured_.reset();
        open_.reset();
        seed_.reset();
    }

    std::string host() const { return secured_->host(); }
    // boxtool registry ARGS against the default store location (what a plain pull consults).
    RunResult registry_cli(const std::vector<std::string>& args, RunOptions options = {}) {
        options.env.insert({"BOXTOOL_STORE_KEY", kStoreKey});
        std::vector<std::string> all{"registry"};
        all.insert(all.end(), args.begin(), args.end());
        return env.boxtool(all, std::move(options));
    }
    void add(const std::string& name, const std::string& server, const std::string& password,
             std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"add",        name,  "--server",        server,
                                      "--username", kUser, "--password-stdin"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = registry_cli(args, {.stdin_text = password});
        ASSERT_EQ(r.exit_code, kOk) << r.describe();
    }
    RunResult pull(const std::string& reference, std::vector<std::string> extra = {}, bool with_key = true,
                   RunOptions options = {}) {
        if (with_key) options.env.insert({"BOXTOOL_STORE_KEY", kStoreKey});
        for (const auto& f : insecure({secured_->host(), open_->host()})) extra.push_back(f);
        return env.pull(reference, extra, std::move(options));
    }
    std::filesystem::path config(const std::string& json) {
        auto path = env.path("boxtool.json");
        write(path, json);
        return path;
    }
    std::filesystem::path store_file() const { return env.home() / ".config/boxtool/credentials.store"; }
    static void expect_no_secret(const RunResult& r) {
        for (const auto& secret : {kPassword, kWrong, kStoreKey, kEcrPassword, kAwsKey.secret_access_key}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret leaked to stdout:\n" << r.out;
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret leaked to stderr:\n" << r.err;
        }
    }

    static std::unique_ptr<CliEnv> seed_;
    static std::unique_ptr<harness::RegistryServer> secured_, open_;
    static harness::ImageInfo image_;
    CliEnv env;
};

std::unique_ptr<CliEnv> StoredCredentials::seed_;
std::unique_ptr<harness::RegistryServer> StoredCredentials::secured_, StoredCredentials::open_;
harness::ImageInfo StoredCredentials::image_;

TEST_F(StoredCredentials, APlainPullUsesAMatchingStoreEntry) {
    add("team-registry", "https://" + host() + "/v1/", kPassword);
    auto r = pull(host() + "/team/app:v1");
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image_.digest);
    expect_no_secret(r);
}

TEST_F(StoredCredentials, ADisabledEntryIsSkipped) {
    add("off", host(), kPassword, {"--disable"});
    auto r = pull(host() + "/team/app:v1");
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    // ...and the next source answers instead.
    write(env.home() / ".docker/config.json", R"({"auths":{")" + host() + R"(":{"auth":")" +
                                                  harness::base64(kUser + ":" + kPassword) + R"("}}})");
    auto next = pull(host() + "/team/app:v1");
    ASSERT_EQ(next.exit_code, kOk) << next.describe();
    expect_no_secret(next);
}

TEST_F(StoredCredentials, ANamespaceEntryBeatsAHostEntry) {
    add("host-wide", host(), kWrong);
    add("team-only", host() + "/team", kPassword);
    auto team = pull(host() + "/team/app:v1");
    ASSERT_EQ(team.exit_code, kOk) << team.describe();
    // Outside the namespace the host entry applies, and the 401 names it.
    auto other = pull(host() + "/other/app:v1");
    EXPECT_EQ(other.exit_code, kUnauthorized) << other.describe();
    EXPECT_NE(other.err.find("entry \"host-wide\""), std::string::npos) << other.err;
    expect_no_secret(team);
    expect_no_secret(other);
}

TEST_F(StoredCredentials, TheKeyIsNeededOnlyForARegistryWithAnEntry) {
    add("team-registry", host(), kPassword);
    // No key anywhere, and no terminal: a pull from a registry the store has nothing for works.
    auto anonymous = pull(open_->host() + "/public/app:v1", {}, false);
    ASSERT_EQ(anonymous.exit_code, kOk) << anonymous.describe();
    EXPECT_EQ(anonymous.err.find("BOXTOOL_STORE"), std::string::npos) << anonymous.err;
    EXPECT_EQ(anonymous.err.find("assphrase"), std::string::npos) << anonymous.err;
    // A registry it has an entry for needs the key, and says where to put it.
    auto secured = pull(host() + "/team/app:v1", {}, false);
    EXPECT_NE(secured.exit_code, kOk) << secured.describe();
    EXPECT_NE(secured.err.find("no key to open it"), std::string::npos) << secured.err;
    EXPECT_NE(secured.err.find("BOXTOOL_STORE_KEY"), std::string::npos) << secured.err;
}

TEST_F(StoredCredentials, WhenBothSourcesHaveCredentialsTheStoreWinsAndExplainSaysSo) {
    add("team-registry", host(), kPassword);
    write(env.home() / ".docker/config.json",
          R"({"auths":{")" + host() + R"(":{"auth":")" + harness::base64(kUser + ":" + kWrong) + R"("}}})");
    auto r = pull(host() + "/team/app:v1", {"--explain"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("Credentials:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(host() + "/team/app: encrypted-store (" + store_file().string() +
                         " entry \"team-registry\")"),
              std::string::npos)
        << r.out;
    // The order decides: with the store's password wrong, the error names the store's entry.
    ASSERT_EQ(registry_cli({"update", "team-registry", "--password-stdin"}, {.stdin_text = kWrong}).exit_code,
              kOk);
    auto rejected = pull(host() + "/team/app:v1", {"--store", env.path("store2").string()});
    EXPECT_EQ(rejected.exit_code, kUnauthorized) << rejected.describe();
    EXPECT_NE(rejected.err.find("entry \"team-registry\""), std::string::npos) << rejected.err;
    expect_no_secret(r);
    expect_no_secret(rejected);
}

TEST_F(StoredCredentials, ALinkPicksTheNamedEntryAmongSeveralThatMatch) {
    add("team-wrong", host() + "/team", kWrong);  // the most specific match, and wrong
    add("host-right", host(), kPassword);
    auto cfg =
        config(R"({"credential_links":[{"images":[")" + host() + R"(/team/*"],"credential":"host-right"}]})");
    auto r = pull(host() + "/team/app:v1", {"--config", cfg.string(), "--explain"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("credential store entry \"host-right\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("linked by \"credential_links\"[0]"), std::string::npos) << r.out;
    expect_no_secret(r);
}

TEST_F(StoredCredentials, ALinkToAMissingOrDisabledCredentialFailsClearly) {
    add("host-right", host(), kPassword);
    auto cfg =
        config(R"({"credential_links":[{"images":[")" + host() + R"(/team/*"],"credential":"no-such"}]})");
    const int requests_before = secured_->count_requests("", "/v2/");
    auto missing = pull(host() + "/team/app:v1", {"--config", cfg.string()});
    EXPECT_EQ(missing.exit_code, kUsage) << missing.describe();
    EXPECT_NE(missing.err.find("names credential \"no-such\", which is not in"), std::string::npos)
        << missing.err;
    // Refused before the registry was asked anything: no anonymous attempt either.
    EXPECT_EQ(secured_->count_requests("", "/v2/"), requests_before);
    EXPECT_TRUE(harness::list_files(env.store() / "blobs").empty());

    ASSERT_EQ(registry_cli({"update", "host-right", "--disable"}).exit_code, kOk);
    cfg =
        config(R"({"credential_links":[{"images":[")" + host() + R"(/team/*"],"credential":"host-right"}]})");
    auto disabled = pull(host() + "/team/app:v1", {"--config", cfg.string()});
    EXPECT_EQ(disabled.exit_code, kUsage) << disabled.describe();
    EXPECT_NE(disabled.err.find("which is disabled"), std::string::npos) << disabled.err;
    EXPECT_NE(disabled.err.find("registry update host-right --enable"), std::string::npos) << disabled.err;
    // Images the link does not cover are unaffected.
    auto other = pull(open_->host() + "/public/app:v1", {"--config", cfg.string()});
    EXPECT_EQ(other.exit_code, kOk) << other.describe();
}

TEST_F(StoredCredentials, IdPrefixesWorkForShowAndCredential) {
    add("by-id", host(), kPassword);
    auto list = registry_cli({"list"});
    ASSERT_EQ(list.exit_code, kOk) << list.describe();
    auto json = registry_cli({"list", "--json"});
    auto at = json.out.find("\"id\": \"");
    ASSERT_NE(at, std::string::npos) << json.out;
    std::string id = json.out.substr(at + 7, 36);
    std::string prefix = id.substr(0, 8);
    EXPECT_NE(list.out.find(prefix + "  by-id"), std::string::npos) << list.out;  // list shows 8 characters
    EXPECT_EQ(list.out.find(id), std::string::npos) << list.out;
    auto show = registry_cli({"show", prefix});
    ASSERT_EQ(show.exit_code, kOk) << show.describe();
    EXPECT_NE(show.out.find("name:     by-id"), std::string::npos) << show.out;
    auto r = pull(host() + "/team/app:v1", {"--credential", prefix});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto unknown = registry_cli({"show", "ffffffff"});
    EXPECT_EQ(unknown.exit_code, kUsage) << unknown.describe();
}

TEST_F(StoredCredentials, MisspeltSettingsAndConfigKeysAreErrorsWithASuggestion) {
    auto plugin = config(R"({"credential_sources":[{"plugin":"docker-config","fiels":[]}]})");
    auto r = pull(open_->host() + "/public/app:v1", {"--config", plugin.string()});
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("unknown setting \"fiels\" (did you mean \"files\"?)"), std::string::npos) << r.err;
    auto key = config(R"({"insecure_registry":[]})");
    r = pull(open_->host() + "/public/app:v1", {"--config", key.string()});
    EXPECT_EQ(r.exit_code, kUsage) << r.describe();
    EXPECT_NE(r.err.find("unknown key \"insecure_registry\" (did you mean \"insecure_registries\"?)"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(harness::list_files(env.store() / "blobs").empty());
}

// The AWS stand-in as SSM and ECR; the machine's own AWS settings removed.
class StoredInAws : public StoredCredentials {
  protected:
    void SetUp() override { aws.start(); }
    RunOptions aws_env() {
        RunOptions options;
        options.env = {{"AWS_ENDPOINT_URL_SSM", aws.endpoint()},
                       {"AWS_ENDPOINT_URL_ECR", aws.endpoint()},
                       {"AWS_ACCESS_KEY_ID", kAwsKey.access_key_id},
                       {"AWS_SECRET_ACCESS_KEY", kAwsKey.secret_access_key},
                       {"AWS_EC2_METADATA_DISABLED", "true"}};
        for (const char* name : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION",
                                 "AWS_DEFAULT_REGION", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
                                 "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"})
            options.unset_env.push_back(name);
        return options;
    }
    harness::AwsStandIn aws{{.keys = {kAwsKey}, .region = "eu-west-1", .ecr_password = kEcrPassword}};
};

TEST_F(StoredInAws, SsmBackendRoundTrip) {
    auto options = aws_env();
    options.stdin_text = kPassword;
    auto added = registry_cli({"add", "in-ssm", "--server", host(), "--username", kUser, "--password-stdin",
                               "--backend", "ssm:/boxtool/e2e/in-ssm", "--region", "eu-west-1"},
                              options);
    ASSERT_EQ(added.exit_code, kOk) << added.describe();
    EXPECT_NE(added.out.find("SSM parameter /boxtool/e2e/in-ssm (eu-west-1)"), std::string::npos)
        << added.out;
    // Written as a SecureString through a signature botocore accepted, and read back by botocore itself.
    EXPECT_EQ(aws.count("ssm", "PutParameter", "200"), 1);
    EXPECT_EQ(aws.count("ssm", "PutParameter", "400:InvalidSignatureException"), 0);
    for (const auto& req : aws.requests())
        if (req.operation == "PutParameter") {
            EXPECT_NE(req.note.find("type=SecureString"), std::string::npos) << req.note;
        }
    auto stored = aws.botocore_get_parameter("/boxtool/e2e/in-ssm", kAwsKey);
    EXPECT_EQ(stored.type, "SecureString");
    EXPECT_EQ(stored.value, kPassword);
    auto show = registry_cli({"show", "in-ssm"}, aws_env());
    EXPECT_NE(show.out.find("password: in SSM parameter /boxtool/e2e/in-ssm (eu-west-1)"), std::string::npos)
        << show.out;

    // A plain pull reads it back with GetParameter (no region in the environment: the entry has it).
    auto pull_options = aws_env();
    auto r = pull(host() + "/team/app:v1", {"--explain"}, true, pull_options);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_GE(aws.count("ssm", "GetParameter", "200"), 1);
    EXPECT_NE(r.out.find("via SSM parameter /boxtool/e2e/in-ssm (eu-west-1)"), std::string::npos) << r.out;

    // Proof that the secret lives in AWS only: change it there, and the pull follows.
    EXPECT_EQ(aws.botocore_put_parameter("/boxtool/e2e/in-ssm", kWrong, kAwsKey), 2);
    auto stale = pull(host() + "/team/app:v1", {"--store", env.path("store2").string()}, true, aws_env());
    EXPECT_EQ(stale.exit_code, kUnauthorized) << stale.describe();
    EXPECT_NE(stale.err.find("/boxtool/e2e/in-ssm"), std::string::npos) << stale.err;

    auto removed = registry_cli({"rm", "in-ssm"}, aws_env());
    ASSERT_EQ(removed.exit_code, kOk) << removed.describe();
    EXPECT_NE(removed.out.find("deleted SSM parameter /boxtool/e2e/in-ssm"), std::string::npos)
        << removed.out;
    EXPECT_EQ(aws.count("ssm", "DeleteParameter", "200"), 1);
    EXPECT_EQ(aws.botocore_get_parameter("/boxtool/e2e/in-ssm", kAwsKey).error, "ParameterNotFound");
    for (const auto& result : {added, r, stale, removed}) expect_no_secret(result);
}

TEST_F(StoredInAws, RmSaysSoWhenItCannotDeleteTheParameter) {
    auto options = aws_env();
    options.stdin_text = kPassword;
    ASSERT_EQ(registry_cli({"add", "in-ssm", "--server", host(), "--username", kUser, "--password-stdin",
                            "--backend", "ssm:/boxtool/e2e/kept", "--region", "eu-west-1"},
                           options)
                  .exit_code,
              kOk);
    auto broken = aws_env();
    broken.env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret";
    auto removed = registry_cli({"rm", "in-ssm"}, broken);
    EXPECT_EQ(removed.exit_code, kOk) << removed.describe();
    EXPECT_NE(removed.err.find("could not delete SSM parameter /boxtool/e2e/kept"), std::string::npos)
        << removed.err;
    EXPECT_NE(removed.err.find("InvalidSignatureException"), std::string::npos) << removed.err;
    EXPECT_NE(removed.out.find("was NOT deleted"), std::string::npos) << removed.out;
    EXPECT_EQ(aws.botocore_get_parameter("/boxtool/e2e/kept", kAwsKey).value, kPassword);
    EXPECT_EQ(registry_cli({"show", "in-ssm"}).exit_code, kUsage);  // the local entry is gone
}

TEST_F(StoredInAws, EcrEntryGetsAShortLivedToken) {
    auto added = registry_cli({"add", "ecr", "--type", "ecr", "--server", kEcrHost}, aws_env());
    ASSERT_EQ(added.exit_code, kOk) << added.describe();
    EXPECT_NE(added.out.find("no secret is kept"), std::string::npos) << added.out;
    // No DNS for ECR here: a policy sends the ECR reference to the local registry as its mirror,
    // trusted with the ECR registry's credentials, which come from the stored ECR entry.
    auto policy = env.path("ecr.lua");
    write(policy, "function select(ref, ctx)\n  return {{registry = '" + host() +
                      "', mirror_of = ref.registry, "
                      "credentials_from = ref.registry, reason = 'local stand-in for ECR'}}\nend\n");
    auto r = pull(kEcrHost + "/team/app:v1", {"--policy", policy.string(), "--explain"}, true, aws_env());
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image_.digest);
    EXPECT_EQ(aws.count("ecr", "GetAuthorizationToken", "200"), 1);
    EXPECT_NE(r.out.find("via ECR GetAuthorizationToken (us-east-1"), std::string::npos) << r.out;
    expect_no_secret(r);
    expect_no_secret(added);
}

}  // namespace
}  // namespace boxtool::conformance
