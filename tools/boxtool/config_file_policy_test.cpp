// The config file's "policy" key: a Lua script path, relative to the file's folder.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "config_file.hpp"

namespace boxtool::cli {
namespace {

namespace fs = std::filesystem;

class ConfigPolicyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/boxtool-config-policy-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path write(const std::string& text) {
        fs::path p = dir_ / "config.json";
        std::ofstream(p) << text;
        return p;
    }
    fs::path dir_;
};

TEST_F(ConfigPolicyTest, RelativePolicyIsBesideTheFile) {
    auto cfg = load_config_file(write(R"({"policy": "policies/mirror.lua"})"));
    EXPECT_EQ(cfg.policy, fs::absolute(dir_) / "policies/mirror.lua");
    EXPECT_TRUE(cfg.unknown_keys.empty());
}

TEST_F(ConfigPolicyTest, AbsolutePolicyIsKept) {
    EXPECT_EQ(load_config_file(write(R"({"policy": "/etc/boxtool/policy.lua"})")).policy,
              "/etc/boxtool/policy.lua");
    EXPECT_TRUE(load_config_file(write("{}")).policy.empty());
}

TEST_F(ConfigPolicyTest, APolicyThatIsNotAPathIsAConfigError) {
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
