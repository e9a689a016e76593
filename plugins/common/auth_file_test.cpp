#include "auth_file.hpp"
#include "base64.hpp"

#include <gtest/gtest.h>

#include "../loader/test_support.hpp"

namespace boxtool::plugins {
namespace {

TEST(AuthFile, ReadsEveryKindOfEntry) {
    auto file = parse_auth_file("config.json", R"({
      "auths": {
        "https://index.docker.io/v1/": {"auth": "aHViLXVzZXI6aHViLXBhc3M="},
        "127.0.0.1:5000": {"username": "plain-user", "password": "plain-pass"},
        "id.example": {"auth": "dXNlcjo=", "identitytoken": "refresh-me"},
        "tok.example": {"registrytoken": "bearer-me"},
        "quay.io/org": {"auth": "b3JnOm9yZy1wYXNz"},
        "quay.io": {"auth": "cm9vdDpyb290LXBhc3M="},
        "empty.example": {}
      },
      "credsStore": "pass",
      "credHelpers": {"https://ecr.example": "ecr-login"}
    })");
    const AuthEntry* hub = file.find("docker.io", "library/alpine");
    ASSERT_TRUE(hub);
    EXPECT_EQ(hub->username, "hub-user");
    EXPECT_EQ(hub->password, "hub-pass");
    EXPECT_EQ(file.find("registry-1.docker.io", "x/y"), hub);
    EXPECT_EQ(file.find("127.0.0.1:5000", "a")->password, "plain-pass");
    EXPECT_EQ(file.find("id.example", "a")->identity_token, "refresh-me");
    EXPECT_EQ(file.find("tok.example", "a")->registry_token, "bearer-me");
    EXPECT_EQ(file.find("quay.io", "org/repo")->username, "org");
    EXPECT_EQ(file.find("quay.io", "other/repo")->username, "root");
    EXPECT_EQ(file.find("empty.example", "a"), nullptr);
    EXPECT_EQ(file.find("unknown.example", "a"), nullptr);
    EXPECT_EQ(file.creds_store, "pass");
    EXPECT_EQ(file.helper_for("ecr.example"), "ecr-login");
    EXPECT_FALSE(file.helper_for("quay.io"));
}

TEST(AuthFile, MalformedFilesAreErrorsNamingTheKey) {
    auto expect_error = [](const std::string& text, const std::string& what) {
        try {
            parse_auth_file("/x/config.json", text);
            ADD_FAILURE() << text;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("/x/config.json"), std::string::npos);
        }
    };
    expect_error("{not json", "not valid JSON");
    expect_error("[]", "top level is not an object");
    expect_error(R"({"auths": []})", "\"auths\" is not an object");
    expect_error(R"({"auths": {"a.io": "x"}})", "auths[\"a.io\"] is not an object");
    expect_error(R"({"auths": {"a.io": {"auth": "!!!"}}})", "auths[\"a.io\"].auth is not base64");
    expect_error(R"({"auths": {"a.io": {"auth": "bm9jb2xvbg=="}}})", "auths[\"a.io\"].auth is not base64");
    expect_error(R"({"auths": {"a.io": {"username": 5}}})", "username is not a string");
    expect_error(R"({"credHelpers": {"a.io": 1}})", "credHelpers[\"a.io\"] is not a string");
}

TEST(AuthFile, AMissingFileIsNothingAnUnreadableOneAnError) {
    testing::TempDir dir;
    EXPECT_FALSE(read_auth_file(dir / "absent.json"));
    std::filesystem::create_directory(dir / "adir");
    EXPECT_THROW(read_auth_file(dir / "adir"), std::runtime_error);
    testing::write_file(dir / "ok.json", R"({"auths":{"a.io":{"auth":"dTpw"}}})");
    auto file = read_auth_file(dir / "ok.json");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->find("a.io", "r")->password, "p");
}

TEST(AuthFile, DecodesBase64) {
    EXPECT_EQ(decode_base64("dXNlcjpwYXNz"), "user:pass");
    EXPECT_EQ(decode_base64("dTpw"), "u:p");
    EXPECT_EQ(decode_base64("YQ=="), "a");
    EXPECT_EQ(decode_base64("YQ"), "a");
    EXPECT_FALSE(decode_base64("Y=Q"));
    EXPECT_FALSE(decode_base64("a b"));
}

}  // namespace
}  // namespace boxtool::plugins
