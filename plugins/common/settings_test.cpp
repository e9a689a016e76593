// Every credential plugin shipped in plugins/ refuses settings it does not know, naming the key and
// the closest known one: a misspelt "timeout" must not silently leave the default in force.
#include "settings.hpp"

#include <gtest/gtest.h>

#include "../loader/test_support.hpp"
#include "boxtool/error.hpp"
#include "plugin_instance.hpp"

namespace boxtool::plugins {
namespace {

std::string create_error(const std::string& plugin, const std::string& settings) {
    try {
        PluginInstance instance(PluginLibrary::load(testing::built_plugin(plugin)), settings);
    } catch (const Failure& f) {
        return f.error().message;
    }
    return "(created without an error)";
}

TEST(Settings, UnknownKeyIsAnErrorWithASuggestion) {
    Settings s(R"({"plugin":"x","registries":["a.example"],"timeout":3,"fiels":[]})");
    try {
        s.reject_unknown({"files", "timeout"});
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        std::string text = e.what();
        EXPECT_NE(text.find("unknown setting \"fiels\""), std::string::npos) << text;
        EXPECT_NE(text.find("did you mean \"files\"?"), std::string::npos) << text;
    }
    EXPECT_NO_THROW(Settings(R"({"plugin":"x","registries":[],"files":[]})").reject_unknown({"files"}));
}

TEST(Settings, FarOffKeyIsNamedWithoutAGuess) {
    try {
        Settings(R"({"banana":1})").reject_unknown({"path", "key_file"});
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        std::string text = e.what();
        EXPECT_NE(text.find("\"banana\""), std::string::npos) << text;
        EXPECT_EQ(text.find("did you mean"), std::string::npos) << text;
        EXPECT_NE(text.find("path, key_file"), std::string::npos) << text;  // what it does take
    }
}

struct Case {
    const char* plugin;
    const char* settings;  // valid settings plus one misspelt key
    const char* typo;
    const char* meant;
};

class EveryPlugin : public ::testing::TestWithParam<Case> {};

TEST_P(EveryPlugin, RejectsAMisspeltSetting) {
    const Case& c = GetParam();
    std::string text = create_error(c.plugin, c.settings);
    EXPECT_NE(text.find(std::string("unknown setting \"") + c.typo + "\""), std::string::npos) << text;
    EXPECT_NE(text.find(std::string("did you mean \"") + c.meant + "\"?"), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(
    Plugins, EveryPlugin,
    ::testing::Values(
        Case{"docker-config", R"({"plugin":"docker-config","helper_timeot":5})", "helper_timeot",
             "helper_timeout"},
        Case{"helper", R"({"plugin":"helper","helper":"pass","timout":5})", "timout", "timeout"},
        Case{"encrypted-store", R"({"plugin":"encrypted-store","key_fiel":"/k"})", "key_fiel", "key_file"},
        Case{"ssm", R"({"plugin":"ssm","regoin":"eu-west-1"})", "regoin", "region"},
        Case{"kbs",
             R"({"plugin":"kbs","url":"https://kbs.example","resource":"kbs:///a/b/c","attester":"sample",
                 "allow_sample_attester":true,"tee_kye":"ec"})",
             "tee_kye", "tee_key"}),
    [](const ::testing::TestParamInfo<Case>& param) {
        std::string name = param.param.plugin;
        for (auto& c : name)
            if (c == '-') c = '_';
        return name;
    });

TEST(EveryPluginKeepsChainKeys, PluginAndRegistriesAreAccepted) {
    PluginInstance instance(PluginLibrary::load(testing::built_plugin("docker-config")),
                            R"({"plugin":"docker-config","registries":["*.example"],"files":[]})");
    EXPECT_FALSE(instance.get("a.example", "x"));
}

}  // namespace
}  // namespace boxtool::plugins
