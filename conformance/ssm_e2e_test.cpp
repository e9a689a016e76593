// The ssm credential source end to end: the boxtool CLI pulls from an htpasswd registry:2 whose
// password is a SecureString in the AWS stand-in (conformance/fixtures/aws_standin.py, which checks
// every request's SigV4 signature with botocore); AWS keys from the environment or from EC2
// instance metadata (IMDSv2); ParameterNotFound falls through to the next source; AWS errors stop
// the pull naming the parameter; no secret ever appears in the output.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "harness/aws_standin.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"

namespace boxtool::conformance {
namespace {

const std::string kUser = "ssm-user";
const std::string kPassword = "Ssm-Registry-Pa55-e81c2a";
const std::string kWrong = "Wrong-Ssm-Pa55-0b9d44";
const harness::AwsKey kKey{"AKIAE2ESTANDIN000001", "e2e/Secret+Access/Key0123456789abcdefgh"};
const harness::AwsKey kRole{"ASIAE2EROLE000000001", "e2e-role-secret-access-key",
                            "e2e-role-session-token-8f2d"};

class SsmSource : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                       "e2e/private:v1", harness::Credentials{kUser, kPassword});
        aws.start();
    }

    std::filesystem::path config(const std::string& sources) {
        auto path = env.path("boxtool.json");
        harness::write_file(path, R"({"credential_sources":)" + sources + "}");
        return path;
    }
    // The stand-in as SSM, ECR and instance metadata; other AWS settings of the machine removed.
    RunOptions aws_env(bool with_keys) {
        RunOptions options;
        options.env = {{"AWS_ENDPOINT_URL_SSM", aws.endpoint()},
                       {"AWS_ENDPOINT_URL_ECR", aws.endpoint()},
                       {"AWS_EC2_METADATA_SERVICE_ENDPOINT", aws.endpoint()},
                       {"AWS_REGION", "us-east-1"}};
        if (with_keys) {
            options.env["AWS_ACCESS_KEY_ID"] = kKey.access_key_id;
            options.env["AWS_SECRET_ACCESS_KEY"] = kKey.secret_access_key;
            options.env["AWS_EC2_METADATA_DISABLED"] = "true";
        }
        for (const char* name : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
                                 "AWS_DEFAULT_REGION", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
                                 "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"})
            options.unset_env.push_back(name);
        if (!with_keys) {
            for (const char* name :
                 {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED"})
                options.unset_env.push_back(name);
        }
        return options;
    }
    RunResult pull(const std::filesystem::path& cfg, RunOptions options) {
        return env.pull(registry.host() + "/e2e/private:v1",
                        {"--insecure-registry", registry.host(), "--config", cfg.string()},
                        std::move(options));
    }
    std::string ssm_source(const std::string& parameter) {
        return R"({"plugin":"ssm","username":")" + kUser + R"(","parameters":{")" + registry.host() +
               R"(":")" + parameter + R"("}})";
    }
    static void expect_no_secret(const RunResult& r) {
        for (const auto& secret :
             {kPassword, kWrong, kKey.secret_access_key, kRole.secret_access_key, kRole.session_token}) {
            EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret leaked to stdout:\n" << r.out;
            EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret leaked to stderr:\n" << r.err;
        }
    }

    harness::RegistryServer registry{{.users = {{kUser, kPassword}}}};
    harness::AwsStandIn aws{
        {.keys = {kKey},
         .parameters = {{"/ci/registry-password", kPassword},
                        {"/ci/registry-json",
                         R"({"username":")" + kUser + R"(","password":")" + kPassword + "\"}"},
                        {"/ci/stale-password", kWrong},
                        {"/ci/locked", kPassword}},
         .denied = {"/ci/locked"},
         .instance_role = kRole}};
    CliEnv env;
    harness::ImageInfo image;
};

TEST_F(SsmSource, PasswordFromSecureStringWithKeysFromEnvironment) {
    auto r = pull(config("[" + ssm_source("/ci/registry-password") + "]"), aws_env(true));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    EXPECT_GE(aws.count("ssm", "GetParameter", "200"), 1);
    EXPECT_EQ(aws.count("ssm", "GetParameter", "400:InvalidSignatureException"), 0);
    EXPECT_EQ(aws.count("imds"), 0);
    expect_no_secret(r);
}

TEST_F(SsmSource, JsonParameterWithKeysFromInstanceMetadata) {
    auto cfg =
        config(R"([{"plugin":"ssm","parameters":{")" + registry.host() + R"(":"/ci/registry-json"}}])");
    auto r = pull(cfg, aws_env(false));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    EXPECT_EQ(aws.count("imds", "PUT", "200"), 1);  // IMDSv2: one session token, reused
    EXPECT_EQ(aws.count("imds", "GET", "401"), 0);
    EXPECT_GE(aws.count("ssm", "GetParameter", "200"), 1);
    expect_no_secret(r);
}

TEST_F(SsmSource, ParameterNotFoundFallsThroughToTheNextSource) {
    harness::write_file(env.path("auth.json"), R"({"auths":{")" + registry.host() + R"(":{"username":")" +
                                                   kUser + R"(","password":")" + kPassword + R"("}}})");
    auto cfg = config(R"([{"plugin":"ssm","username":"x","parameter":"/absent/{registry}"},
                          {"plugin":"docker-config","files":[")" +
                      env.path("auth.json").string() + R"("]}])");
    auto r = pull(cfg, aws_env(true));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_GE(aws.count("ssm", "GetParameter", "400:ParameterNotFound"), 1);
    expect_no_secret(r);
}

TEST_F(SsmSource, AccessDeniedStopsThePullNamingTheParameter) {
    auto r = pull(config("[" + ssm_source("/ci/locked") + "]"), aws_env(true));
    EXPECT_EQ(r.exit_code, kFailure) << r.describe();
    EXPECT_NE(r.err.find("/ci/locked"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("AccessDeniedException"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("ssm"), std::string::npos) << r.err;
    expect_no_secret(r);
}

TEST_F(SsmSource, WrongSecretKeyIsReportedAsABadSignature) {
    auto options = aws_env(true);
    options.env["AWS_SECRET_ACCESS_KEY"] = kWrong;
    auto r = pull(config("[" + ssm_source("/ci/registry-password") + "]"), options);
    EXPECT_EQ(r.exit_code, kFailure) << r.describe();
    EXPECT_NE(r.err.find("InvalidSignatureException"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("/ci/registry-password"), std::string::npos) << r.err;
    expect_no_secret(r);
}

TEST_F(SsmSource, RejectedPasswordNamesTheParameter) {
    auto r = pull(config("[" + ssm_source("/ci/stale-password") + "]"), aws_env(true));
    EXPECT_EQ(r.exit_code, kUnauthorized) << r.describe();
    EXPECT_NE(r.err.find("/ci/stale-password"), std::string::npos) << r.err;
    expect_no_secret(r);
}

}  // namespace
}  // namespace boxtool::conformance
