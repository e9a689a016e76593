#include "config_file.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace boxtool::cli {
namespace {

namespace fs = std::filesystem;

class ConfigFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/boxtool-config-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path write(const std::string& text) {
        fs::path p = dir_ / "config.json";
        std::ofstream(p) << text;
        return p;
    }
    // The Config error's message for `text`, or "" if it loaded.
    std::string error_for(const std::string& text) {
        try {
            load_config_file(write(text));
            return "";
        } catch (const Failure& f) {
            EXPECT_EQ(f.error().kind, ErrorKind::Config);
            EXPECT_NE(f.error().message.find(dir_.string()), std::string::npos) << "the file is not named";
            return f.error().message;
        }
    }
    fs::path dir_;
};

TEST_F(ConfigFileTest, LoadsEveryKnownKey) {
    auto cfg = load_config_file(write(R"({
        "image_registries": ["mirror.example.com", "registry.example.com:5000", "localhost:5000"],
        "insecure_registries": ["registry.example.com:5000"],
        "store": "/var/lib/boxtool/store"})"));
    EXPECT_EQ(
        cfg.image_registries,
        (std::vector<std::string>{"mirror.example.com", "registry.example.com:5000", "localhost:5000"}));
    EXPECT_EQ(cfg.insecure_registries, std::vector<std::string>{"registry.example.com:5000"});
    EXPECT_EQ(cfg.store, fs::path("/var/lib/boxtool/store"));
}

TEST_F(ConfigFileTest, RelativeStoreIsBesideTheFile) {
    auto cfg = load_config_file(write(R"({"store": "images"})"));
    EXPECT_EQ(cfg.store, fs::absolute(dir_) / "images");
}

TEST_F(ConfigFileTest, UnknownKeysAreErrorsWithASuggestion) {
    auto text = error_for(R"({"image_registries": [], "stroe": "/var/lib/boxtool"})");
    EXPECT_NE(text.find("unknown key \"stroe\""), std::string::npos) << text;
    EXPECT_NE(text.find("did you mean \"store\"?"), std::string::npos) << text;
    text = error_for(R"({"credential_link": []})");
    EXPECT_NE(text.find("did you mean \"credential_links\"?"), std::string::npos) << text;
    text = error_for(R"({"a_future_key": []})");
    EXPECT_NE(text.find("unknown key \"a_future_key\""), std::string::npos) << text;
    EXPECT_EQ(text.find("did you mean"), std::string::npos) << text;
}

TEST_F(ConfigFileTest, CredentialLinks) {
    auto cfg = load_config_file(write(R"({"credential_links": [
        {"images": ["ghcr.io/org/*", "quay.io/team/app"], "credential": "work"},
        {"images": ["*"], "credential": "0c1d2e3f"}]})"));
    ASSERT_EQ(cfg.credential_links.size(), 2u);
    EXPECT_EQ(cfg.credential_links[0].images,
              (std::vector<std::string>{"ghcr.io/org/*", "quay.io/team/app"}));
    EXPECT_EQ(cfg.credential_links[0].credential, "work");
    EXPECT_NE(cfg.credential_links[1].origin.find("\"credential_links\"[1]"), std::string::npos);
    EXPECT_NE(error_for(R"({"credential_links": {}})").find("must be an array"), std::string::npos);
    EXPECT_NE(
        error_for(R"({"credential_links": [{"images": [], "credential": "a"}]})").find("non-empty array"),
        std::string::npos);
    EXPECT_NE(error_for(R"({"credential_links": [{"images": ["a/*"]}]})").find("needs \"credential\""),
              std::string::npos);
    auto text = error_for(R"({"credential_links": [{"image": ["a/*"], "credential": "x"}]})");
    EXPECT_NE(text.find("unknown key \"image\" (did you mean \"images\"?)"), std::string::npos) << text;
}

TEST_F(ConfigFileTest, MissingFileNamesIt) {
    try {
        load_config_file(dir_ / "absent.json");
        FAIL() << "a missing file loaded";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Config);
        EXPECT_NE(f.error().message.find("absent.json"), std::string::npos);
    }
}

TEST_F(ConfigFileTest, BadInputSaysWhatIsWrong) {
    EXPECT_NE(error_for("{").find("not valid JSON"), std::string::npos);
    EXPECT_NE(error_for("[1, 2]").find("JSON object"), std::string::npos);
    EXPECT_NE(error_for(R"({"image_registries": "one"})").find("must be an array"), std::string::npos);
    EXPECT_NE(error_for(R"({"image_registries": [1]})").find("is not a string"), std::string::npos);
    EXPECT_NE(error_for(R"({"image_registries": ["not a host"]})").find("not a registry host"),
              std::string::npos);
    EXPECT_NE(error_for(R"({"image_registries": ["host:99999"]})").find("not a registry host"),
              std::string::npos);
    EXPECT_NE(error_for(R"({"insecure_registries": [""]})").find("not a registry host"), std::string::npos);
    EXPECT_NE(error_for(R"({"store": 5})").find("\"store\""), std::string::npos);
    EXPECT_NE(error_for(R"({"store": ""})").find("\"store\""), std::string::npos);
    EXPECT_NE(error_for(std::string(1024 * 1024 + 10, ' ')).find("larger than 1 MiB"), std::string::npos);
}

TEST_F(ConfigFileTest, CredentialSourcesAndPluginDirs) {
    auto cfg = load_config_file(write(R"({
        "plugin_dirs": ["plugins", "/opt/boxtool/plugins"],
        "credential_sources": [
            {"plugin": "helper", "helper": "ecr-login", "registries": ["*.dkr.ecr.*.amazonaws.com"]},
            {"plugin": "docker-config"},
            {"plugin": "./my-source.so"}
        ]})"));
    ASSERT_EQ(cfg.plugin_dirs.size(), 2u);
    EXPECT_EQ(cfg.plugin_dirs[0], dir_ / "plugins");
    EXPECT_EQ(cfg.plugin_dirs[1], "/opt/boxtool/plugins");
    ASSERT_TRUE(cfg.credential_sources);
    const auto& sources = *cfg.credential_sources;
    ASSERT_EQ(sources.size(), 3u);
    EXPECT_EQ(sources[0].plugin, "helper");
    EXPECT_EQ(sources[0].registries, std::vector<std::string>{"*.dkr.ecr.*.amazonaws.com"});
    EXPECT_NE(sources[0].settings_json.find(R"("helper":"ecr-login")"), std::string::npos)
        << sources[0].settings_json;
    EXPECT_TRUE(sources[1].registries.empty());
    EXPECT_EQ(sources[2].plugin, (dir_ / "./my-source.so").string());
    EXPECT_FALSE(load_config_file(write("{}")).credential_sources) << "absent means the default chain";
    EXPECT_TRUE(load_config_file(write(R"({"credential_sources": []})")).credential_sources->empty());
}

TEST_F(ConfigFileTest, BadCredentialSourcesSayWhatIsWrong) {
    EXPECT_NE(error_for(R"({"credential_sources": {}})").find("must be an array"), std::string::npos);
    EXPECT_NE(error_for(R"({"credential_sources": [5]})").find("[0] is not an object"), std::string::npos);
    EXPECT_NE(error_for(R"({"credential_sources": [{"helper": "x"}]})").find("needs \"plugin\""),
              std::string::npos);
    EXPECT_NE(error_for(R"({"credential_sources": [{"plugin": "x", "registries": "a"}]})").find("registries"),
              std::string::npos);
    EXPECT_NE(error_for(R"({"plugin_dirs": "x"})").find("plugin_dirs"), std::string::npos);
}

TEST_F(ConfigFileTest, ExtraRootCertificatesAndCertsDirs) {
    auto cfg = load_config_file(write(R"({
        "extra_root_certificates": ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"],
        "certs_dirs": ["/etc/my/certs.d", "local-certs.d"]})"));
    ASSERT_EQ(cfg.extra_root_certificates.size(), 1u);
    EXPECT_EQ(cfg.extra_root_certificates[0].rfind("-----BEGIN CERTIFICATE-----\nMIIB\n", 0), 0u);
    EXPECT_EQ(cfg.certs_dirs, (std::vector<std::filesystem::path>{
                                  "/etc/my/certs.d", std::filesystem::absolute(dir_) / "local-certs.d"}));
}

TEST_F(ConfigFileTest, MalformedTlsKeysAreNamed) {
    EXPECT_NE(error_for(R"({"extra_root_certificates": "-----BEGIN CERTIFICATE-----"})")
                  .find("extra_root_certificates"),
              std::string::npos);
    EXPECT_NE(error_for(R"({"extra_root_certificates": ["not pem"]})").find("extra_root_certificates\"[0]"),
              std::string::npos);
    EXPECT_NE(error_for(R"({"extra_root_certificates": [42]})").find("is not a string"), std::string::npos);
    EXPECT_NE(error_for(R"({"certs_dirs": "/etc/docker/certs.d"})").find("certs_dirs"), std::string::npos);
    EXPECT_NE(error_for(R"({"certs_dirs": [""]})").find("empty path"), std::string::npos);
}

TEST_F(ConfigFileTest, RelativePolicyIsBesideTheFile) {
    auto cfg = load_config_file(write(R"({"policy": "policies/mirror.lua"})"));
    EXPECT_EQ(cfg.policy, fs::absolute(dir_) / "policies/mirror.lua");
}

TEST_F(ConfigFileTest, AbsolutePolicyIsKept) {
    EXPECT_EQ(load_config_file(write(R"({"policy": "/etc/boxtool/policy.lua"})")).policy,
              "/etc/boxtool/policy.lua");
    EXPECT_TRUE(load_config_file(write("{}")).policy.empty());
}

TEST_F(ConfigFileTest, APolicyThatIsNotAPathIsAConfigError) {
    for (const char* text : {R"({"policy": 3})", R"({"policy": ""})", R"({"policy": ["a.lua"]})"}) {
        SCOPED_TRACE(text);
        try {
            load_config_file(write(text));
            FAIL() << "accepted";
        } catch (const Failure& f) {
            EXPECT_EQ(f.error().kind, ErrorKind::Config);
            EXPECT_NE(f.error().message.find("\"policy\""), std::string::npos) << f.error().message;
        }
    }
}

}  // namespace
}  // namespace boxtool::cli
