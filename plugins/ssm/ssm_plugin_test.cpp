// The ssm plugin through the loader, as boxtool uses it, against the botocore-checked AWS stand-in
// (conformance/fixtures/aws_standin.py): SSM parameters, the AWS credentials chain (environment,
// shared files and profiles, IMDSv2), ECR tokens, and AWS's errors.
#include <gtest/gtest.h>

#include <list>

#include "../loader/test_support.hpp"
#include "boxtool/error.hpp"
#include "harness/aws_standin.hpp"
#include "plugin_instance.hpp"

namespace boxtool::plugins {
namespace {

using harness::AwsKey;
using harness::AwsStandIn;
using harness::AwsStandInOptions;

const AwsKey kKey{"AKIASTANDINKEY000001", "standin/Secret+Key/0123456789abcdefghij"};
const std::string kSecret = "Registry-Pa55-SSM-7d3e1f";
const std::string kEcrRegistry = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

class SsmPlugin : public ::testing::Test {
  protected:
    void start(AwsStandInOptions options) {
        aws_ = std::make_unique<AwsStandIn>(std::move(options));
        aws_->start();
        endpoints_.emplace_back("AWS_ENDPOINT_URL_SSM", aws_->endpoint());
        endpoints_.emplace_back("AWS_ENDPOINT_URL_ECR", aws_->endpoint());
        endpoints_.emplace_back("AWS_EC2_METADATA_SERVICE_ENDPOINT", aws_->endpoint());
    }
    void env_keys(const AwsKey& key) {
        endpoints_.emplace_back("AWS_ACCESS_KEY_ID", key.access_key_id);
        endpoints_.emplace_back("AWS_SECRET_ACCESS_KEY", key.secret_access_key);
        endpoints_.emplace_back("AWS_SESSION_TOKEN", key.session_token);
    }
    std::unique_ptr<PluginInstance> make(const std::string& settings) {
        return std::make_unique<PluginInstance>(PluginLibrary::load(testing::built_plugin("ssm")), settings);
    }
    // The plugin's error for a get, which must never quote `secret`.
    std::string error_of(PluginInstance& plugin, const std::string& registry, const std::string& secret) {
        try {
            plugin.get(registry, "app");
        } catch (const Failure& e) {
            std::string text = e.what() + std::string(" ") + e.error().hint;
            EXPECT_EQ(text.find(secret), std::string::npos) << text;
            return text;
        }
        ADD_FAILURE() << "no error for " << registry;
        return {};
    }

    testing::TempDir home_;
    testing::ScopedEnv env_[12] = {{"HOME", home_.path().string()},
                                   {"AWS_ACCESS_KEY_ID", ""},
                                   {"AWS_SECRET_ACCESS_KEY", ""},
                                   {"AWS_SESSION_TOKEN", ""},
                                   {"AWS_PROFILE", ""},
                                   {"AWS_DEFAULT_PROFILE", ""},
                                   {"AWS_REGION", ""},
                                   {"AWS_DEFAULT_REGION", ""},
                                   {"AWS_SHARED_CREDENTIALS_FILE", ""},
                                   {"AWS_CONFIG_FILE", ""},
                                   {"AWS_ENDPOINT_URL", ""},
                                   {"AWS_EC2_METADATA_DISABLED", "true"}};
    std::unique_ptr<AwsStandIn> aws_;
    std::list<testing::ScopedEnv> endpoints_;
};

TEST_F(SsmPlugin, SecureStringWithUsernameSetting) {
    start({.keys = {kKey}, .parameters = {{"/ci/registry-password", kSecret}}});
    env_keys(kKey);
    auto plugin = make(R"({"region":"us-east-1","username":"ci-bot",
                           "parameters":{"registry.example.com":"/ci/registry-password"}})");
    auto cred = plugin->get("registry.example.com", "team/app");
    ASSERT_TRUE(cred);
    EXPECT_EQ(cred->username, "ci-bot");
    EXPECT_EQ(cred->password.reveal(), kSecret);
    EXPECT_NE(cred->source.find("/ci/registry-password"), std::string::npos) << cred->source;
    EXPECT_EQ(cred->source.find(kSecret), std::string::npos);
    // Signed correctly (botocore agreed), decrypted, fetched once for the whole pull.
    plugin->get("registry.example.com", "team/other");
    EXPECT_EQ(aws_->count("ssm", "GetParameter", "200"), 1);
    EXPECT_EQ(aws_->count("imds"), 0);
    // A registry with no parameter is "not here", without asking AWS.
    EXPECT_FALSE(plugin->get("other.example.com", "app"));
    EXPECT_EQ(aws_->count("ssm"), 1);
}

TEST_F(SsmPlugin, JsonValueAndNameTemplate) {
    start({.keys = {kKey},
           .parameters = {
               {"/boxtool/reg.example_5000", R"({"username":"json-user","password":")" + kSecret + "\"}"}}});
    env_keys(kKey);
    testing::ScopedEnv region("AWS_REGION", "us-east-1");
    auto plugin = make(R"({"parameter":"/boxtool/{registry}"})");
    auto cred = plugin->get("reg.example:5000", "app");
    ASSERT_TRUE(cred);
    EXPECT_EQ(cred->username, "json-user");
    EXPECT_EQ(cred->password.reveal(), kSecret);
}

TEST_F(SsmPlugin, ParameterNotFoundMeansNotHere) {
    start({.keys = {kKey}});
    env_keys(kKey);
    auto plugin = make(R"({"region":"us-east-1","username":"u","parameter":"/missing/{registry}"})");
    EXPECT_FALSE(plugin->get("registry.example.com", "app"));
    EXPECT_EQ(aws_->count("ssm", "GetParameter", "400:ParameterNotFound"), 1);
}

TEST_F(SsmPlugin, AccessDeniedNamesTheParameterNotItsValue) {
    start({.keys = {kKey}, .parameters = {{"/ci/locked", kSecret}}, .denied = {"/ci/locked"}});
    env_keys(kKey);
    auto plugin = make(R"({"region":"us-east-1","username":"u","parameters":{"r.example":"/ci/locked"}})");
    auto text = error_of(*plugin, "r.example", kSecret);
    EXPECT_NE(text.find("/ci/locked"), std::string::npos) << text;
    EXPECT_NE(text.find("AccessDeniedException"), std::string::npos) << text;
    EXPECT_NE(text.find("ssm:GetParameter"), std::string::npos) << text;
}

TEST_F(SsmPlugin, ThrottlingIsRetriedThenExplained) {
    start({.keys = {kKey}, .parameters = {{"/ci/busy", kSecret}}, .throttled = {"/ci/busy"}});
    env_keys(kKey);
    auto plugin = make(R"({"region":"us-east-1","username":"u","parameters":{"r.example":"/ci/busy"}})");
    auto text = error_of(*plugin, "r.example", kSecret);
    EXPECT_NE(text.find("/ci/busy"), std::string::npos) << text;
    EXPECT_NE(text.find("ThrottlingException"), std::string::npos) << text;
    EXPECT_EQ(aws_->count("ssm", "GetParameter", "400:ThrottlingException"), 3);
}

TEST_F(SsmPlugin, WrongSecretKeyIsABadSignature) {
    start({.keys = {kKey}, .parameters = {{"/ci/p", kSecret}}});
    env_keys({kKey.access_key_id, "not-the-right-secret-key"});
    auto plugin = make(R"({"region":"us-east-1","username":"u","parameters":{"r.example":"/ci/p"}})");
    auto text = error_of(*plugin, "r.example", "not-the-right-secret-key");
    EXPECT_NE(text.find("InvalidSignatureException"), std::string::npos) << text;
    EXPECT_NE(text.find("/ci/p"), std::string::npos) << text;
    EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
}

TEST_F(SsmPlugin, WrongRegionIsRefusedByTheStandIn) {
    start({.keys = {kKey}, .region = "eu-west-1", .parameters = {{"/ci/p", kSecret}}});
    env_keys(kKey);
    auto plugin = make(R"({"region":"us-east-1","username":"u","parameters":{"r.example":"/ci/p"}})");
    EXPECT_NE(error_of(*plugin, "r.example", kSecret).find("InvalidSignatureException"), std::string::npos);
}

TEST_F(SsmPlugin, SessionTokenFromEnvironment) {
    AwsKey temporary{"ASIATEMPORARYKEY0001", "temporary-secret", "FwoGZXIvYXdzEBQaDSessionToken0123456789"};
    start({.keys = {temporary}, .parameters = {{"/ci/p", kSecret}}});
    env_keys(temporary);
    auto plugin = make(R"({"region":"us-east-1","username":"u","parameters":{"r.example":"/ci/p"}})");
    EXPECT_EQ(plugin->get("r.example", "app")->password.reveal(), kSecret);
    // Without the token the same keys are refused.
    testing::ScopedEnv no_token("AWS_SESSION_TOKEN", "");
    auto again = make(R"({"region":"us-east-1","username":"u","parameters":{"r.example":"/ci/p"}})");
    EXPECT_NE(error_of(*again, "r.example", kSecret).find("UnrecognizedClientException"), std::string::npos);
}

TEST_F(SsmPlugin, SharedFilesWithProfilesAndProfileRegion) {
    AwsKey profile_key{"AKIAPROFILEKEY000001", "profile-secret-key"};
    start({.keys = {profile_key}, .region = "ap-southeast-2", .parameters = {{"/ci/p", kSecret}}});
    testing::write_file(home_ / "creds",
                        "[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = x\n"
                        "[ci]\naws_access_key_id = " +
                            profile_key.access_key_id +
                            "\naws_secret_access_key = " + profile_key.secret_access_key + "\n");
    testing::write_file(home_ / "config",
                        "[default]\nregion = us-east-1\n# comment\n[profile ci]\nregion = "
                        "ap-southeast-2\ns3 =\n  max_concurrent_requests = 2\n");
    testing::ScopedEnv a("AWS_SHARED_CREDENTIALS_FILE", (home_ / "creds").string());
    testing::ScopedEnv b("AWS_CONFIG_FILE", (home_ / "config").string());
    testing::ScopedEnv c("AWS_PROFILE", "ci");
    auto plugin = make(R"({"username":"u","parameters":{"r.example":"/ci/p"}})");
    auto cred = plugin->get("r.example", "app");
    ASSERT_TRUE(cred);
    EXPECT_EQ(cred->password.reveal(), kSecret);
    // Keys in the config file's [profile x] section work too, and "profile" in settings wins.
    testing::write_file(
        home_ / "config",
        "[profile other]\nregion = ap-southeast-2\naws_access_key_id = " + profile_key.access_key_id +
            "\naws_secret_access_key = " + profile_key.secret_access_key + "\n");
    auto other = make(R"({"profile":"other","username":"u","parameters":{"r.example":"/ci/p"}})");
    EXPECT_EQ(other->get("r.example", "app")->password.reveal(), kSecret);
    // A named profile that exists nowhere is an error naming it.
    auto missing = make(R"({"profile":"nope","username":"u","parameters":{"r.example":"/ci/p"}})");
    EXPECT_NE(error_of(*missing, "r.example", kSecret).find("\"nope\""), std::string::npos);
}

TEST_F(SsmPlugin, EnvironmentComesBeforeProfilesAndGenericEndpointWorks) {
    start({.keys = {kKey}, .parameters = {{"/ci/p", kSecret}}});
    env_keys(kKey);
    testing::write_file(home_ / ".aws/credentials",
                        "[default]\naws_access_key_id = AKIAWRONGPROFILEKEY1\n"
                        "aws_secret_access_key = wrong\n");
    testing::ScopedEnv generic("AWS_ENDPOINT_URL", aws_->endpoint());
    testing::ScopedEnv no_ssm("AWS_ENDPOINT_URL_SSM", "");
    testing::ScopedEnv region("AWS_DEFAULT_REGION", "us-east-1");
    auto plugin = make(R"({"username":"u","parameters":{"r.example":"/ci/p"}})");
    EXPECT_EQ(plugin->get("r.example", "app")->password.reveal(), kSecret);
    // Without the environment's keys, ~/.aws/credentials [default] is used (and refused here).
    testing::ScopedEnv no_id("AWS_ACCESS_KEY_ID", ""), no_secret("AWS_SECRET_ACCESS_KEY", "");
    auto text =
        error_of(*make(R"({"username":"u","parameters":{"r.example":"/ci/p"}})"), "r.example", kSecret);
    EXPECT_NE(text.find("UnrecognizedClientException"), std::string::npos) << text;
    EXPECT_NE(text.find(".aws/credentials"), std::string::npos) << text;
}

TEST_F(SsmPlugin, InstanceMetadataCredentialsAreCachedUntilExpiry) {
    AwsKey role{"ASIAROLEKEY000000001", "role-secret-key", "role-session-token-0123456789"};
    start({.parameters = {{"/ci/a", kSecret}, {"/ci/b", kSecret}}, .instance_role = role});
    testing::ScopedEnv imds("AWS_EC2_METADATA_DISABLED", "");
    auto plugin = make(
        R"({"region":"us-east-1","username":"u","parameters":{"a.example":"/ci/a","b.example":"/ci/b"}})");
    EXPECT_EQ(plugin->get("a.example", "app")->password.reveal(), kSecret);
    EXPECT_EQ(plugin->get("b.example", "app")->password.reveal(), kSecret);
    EXPECT_EQ(aws_->count("imds", "PUT", "200"), 1);  // one IMDSv2 session, one role lookup
    EXPECT_EQ(aws_->count("imds", "GET", "200"), 2);
    EXPECT_EQ(aws_->count("imds", "GET", "401"), 0);  // never IMDSv1
    EXPECT_EQ(aws_->count("ssm", "GetParameter", "200"), 2);
}

TEST_F(SsmPlugin, InstanceMetadataCredentialsNearExpiryAreFetchedAgain) {
    AwsKey role{"ASIAROLEKEY000000001", "role-secret-key", "role-session-token-0123456789"};
    // Credentials that expire within the refresh margin are replaced before each use.
    start({.parameters = {{"/ci/a", kSecret}, {"/ci/b", kSecret}},
           .instance_role = role,
           .role_expires_in = 60});
    testing::ScopedEnv imds("AWS_EC2_METADATA_DISABLED", "");
    auto plugin = make(
        R"({"region":"us-east-1","username":"u","parameters":{"a.example":"/ci/a","b.example":"/ci/b"}})");
    plugin->get("a.example", "app");
    plugin->get("b.example", "app");
    EXPECT_EQ(aws_->count("imds", "PUT", "200"), 2);
}

TEST_F(SsmPlugin, NoCredentialsAnywhereIsAClearError) {
    start({.parameters = {{"/ci/p", kSecret}}});
    auto plugin = make(R"({"region":"us-east-1","username":"u","parameters":{"r.example":"/ci/p"}})");
    auto text = error_of(*plugin, "r.example", kSecret);
    EXPECT_NE(text.find("no AWS credentials found"), std::string::npos) << text;
    EXPECT_NE(text.find("AWS_ACCESS_KEY_ID"), std::string::npos) << text;
    EXPECT_NE(text.find("AWS_EC2_METADATA_DISABLED"), std::string::npos) << text;
}

TEST_F(SsmPlugin, EcrTokenFromGetAuthorizationTokenIsCached) {
    const std::string ecr_password = "eyJwYXlsb2FkIjoiRUNSLXRva2VuLWZvci10ZXN0cyJ9";
    start({.keys = {kKey}, .ecr_password = ecr_password});
    env_keys(kKey);
    auto plugin = make(R"({})");
    auto cred = plugin->get(kEcrRegistry, "team/app");
    ASSERT_TRUE(cred);
    EXPECT_EQ(cred->username, "AWS");
    EXPECT_EQ(cred->password.reveal(), ecr_password);
    EXPECT_NE(cred->source.find("ECR"), std::string::npos);
    plugin->get(kEcrRegistry, "team/other");
    EXPECT_EQ(aws_->count("ecr", "GetAuthorizationToken", "200"), 1);
    // Not an ECR host, no parameter: not here.
    EXPECT_FALSE(plugin->get("123456789012.dkr.ecr.us-east-1.example.com", "app"));
}

TEST_F(SsmPlugin, EcrExpiresAtAsIso8601) {
    start({.keys = {kKey}, .ecr_password = "iso-token-password", .ecr_expires_iso8601 = true});
    env_keys(kKey);
    auto plugin = make(R"({})");
    EXPECT_EQ(plugin->get(kEcrRegistry, "app")->password.reveal(), "iso-token-password");
    plugin->get(kEcrRegistry, "app");
    EXPECT_EQ(aws_->count("ecr", "GetAuthorizationToken", "200"), 1);
}

TEST_F(SsmPlugin, EcrDeniedNamesThePermission) {
    start({.keys = {kKey}});
    env_keys(kKey);
    auto plugin = make(R"({})");
    auto text = error_of(*plugin, kEcrRegistry, kKey.secret_access_key);
    EXPECT_NE(text.find("ecr:GetAuthorizationToken"), std::string::npos) << text;
    EXPECT_NE(text.find(kEcrRegistry), std::string::npos) << text;
}

TEST_F(SsmPlugin, EcrCanBeTurnedOff) {
    start({.keys = {kKey}, .ecr_password = "p"});
    env_keys(kKey);
    EXPECT_FALSE(make(R"({"ecr":false})")->get(kEcrRegistry, "app"));
    EXPECT_EQ(aws_->count("ecr"), 0);
}

TEST_F(SsmPlugin, HttpsEndpointsAreVerified) {
    auto ca = harness::make_certificate_authority(home_.path(), "aws-ca");
    auto server = harness::make_server_certificate(ca, home_.path(), "aws-server");
    start({.keys = {kKey}, .parameters = {{"/ci/p", kSecret}}, .tls = server});
    env_keys(kKey);
    ASSERT_EQ(aws_->endpoint().rfind("https://", 0), 0u);
    const std::string settings =
        R"({"region":"us-east-1","username":"u","parameters":{"r.example":"/ci/p"}})";
    {
        // Not trusted: the certificate is refused, and nothing was asked.
        testing::ScopedEnv no_ca("SSL_CERT_FILE", (home_ / "empty.pem").string());
        testing::write_file(home_ / "empty.pem", "");
        auto text = error_of(*make(settings), "r.example", kSecret);
        EXPECT_NE(text.find("/ci/p"), std::string::npos) << text;
        EXPECT_EQ(aws_->count("ssm"), 0);
        EXPECT_NE(text.find("certificate verify failed"), std::string::npos) << text;
        EXPECT_NE(text.find("SSL_CERT_FILE"), std::string::npos) << text;
    }
    testing::ScopedEnv trusted("SSL_CERT_FILE", ca.cert.string());
    EXPECT_EQ(make(settings)->get("r.example", "app")->password.reveal(), kSecret);
    EXPECT_EQ(aws_->count("ssm", "GetParameter", "200"), 1);
}

TEST_F(SsmPlugin, BadSettingsFailAtCreate) {
    EXPECT_THROW(make(R"({"parameters":"not-an-object"})"), Failure);
    EXPECT_THROW(make(R"({"parameters":{"r.example":7}})"), Failure);
    EXPECT_THROW(make(R"({"timeout":0})"), Failure);
    EXPECT_THROW(make(R"({"username":"a:b"})"), Failure);
}

}  // namespace
}  // namespace boxtool::plugins
