// The docker-config plugin through the loader, as boxtool uses it.
#include <gtest/gtest.h>

#include "../loader/test_support.hpp"
#include "boxtool/error.hpp"
#include "plugin_instance.hpp"

namespace boxtool::plugins {
namespace {

class DockerConfigPlugin : public ::testing::Test {
  protected:
    std::unique_ptr<PluginInstance> make(const std::string& settings = "{}") {
        return std::make_unique<PluginInstance>(PluginLibrary::load(testing::built_plugin("docker-config")),
                                                settings);
    }
    void helper(const std::string& name, const std::string& user, const std::string& secret) {
        testing::write_file(bin_ / ("docker-credential-" + name),
                            "#!/bin/sh\nread s\necho \"$s\" >> " + (bin_ / (name + ".log")).string() +
                                "\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"" + user +
                                "\",\"Secret\":\"" + secret + "\"}' \"$s\"\n",
                            0755);
    }
    testing::TempDir home_, bin_;
    testing::ScopedEnv home_env_{"HOME", home_.path().string()};
    testing::ScopedEnv docker_env_{"DOCKER_CONFIG", (home_ / "docker").string()};
    testing::ScopedEnv xdg_run_{"XDG_RUNTIME_DIR", (home_ / "run").string()};
    testing::ScopedEnv xdg_cfg_{"XDG_CONFIG_HOME", (home_ / "cfg").string()};
    testing::ScopedEnv auth_env_{"REGISTRY_AUTH_FILE", ""};
    testing::ScopedEnv path_{"PATH", bin_.path().string() + ":/usr/bin:/bin"};
};

TEST_F(DockerConfigPlugin, ReadsDockerConfigJson) {
    testing::write_file(home_ / "docker/config.json",
                        R"({"auths":{"https://index.docker.io/v1/":{"auth":"aHViOmh1Yi1wYXNz"},
                                     "reg.example:5000":{"username":"u","password":"p"}}})");
    auto plugin = make();
    auto hub = plugin->get("docker.io", "library/alpine");
    ASSERT_TRUE(hub);
    EXPECT_EQ(hub->username, "hub");
    EXPECT_EQ(hub->password.reveal(), "hub-pass");
    EXPECT_NE(hub->source.find((home_ / "docker/config.json").string()), std::string::npos) << hub->source;
    EXPECT_NE(hub->source.find("auths[\"https://index.docker.io/v1/\"]"), std::string::npos) << hub->source;
    EXPECT_EQ(plugin->get("reg.example:5000", "a")->password.reveal(), "p");
    EXPECT_FALSE(plugin->get("other.example", "a"));
}

TEST_F(DockerConfigPlugin, IdentityAndRegistryTokens) {
    testing::write_file(home_ / "docker/config.json",
                        R"({"auths":{"id.example":{"auth":"PHRva2VuPjo=","identitytoken":"refresh"},
                                     "tok.example":{"registrytoken":"bearer"}}})");
    auto plugin = make();
    auto id = plugin->get("id.example", "a");
    ASSERT_TRUE(id);
    EXPECT_EQ(id->identity_token.reveal(), "refresh");
    EXPECT_TRUE(id->password.empty());
    EXPECT_EQ(plugin->get("tok.example", "a")->registry_token.reveal(), "bearer");
}

TEST_F(DockerConfigPlugin, ContainersAuthFilesComeFirstInPodmansOrder) {
    testing::write_file(home_ / "docker/config.json", R"({"auths":{"a.io":{"auth":"ZG9ja2VyOnA="}}})");
    testing::write_file(home_ / "cfg/containers/auth.json", R"({"auths":{"a.io":{"auth":"Y29uZmlnOnA="}}})");
    EXPECT_EQ(make()->get("a.io", "r")->username, "config");
    testing::write_file(home_ / "run/containers/auth.json", R"({"auths":{"a.io":{"auth":"cnVudGltZTpw"}}})");
    EXPECT_EQ(make()->get("a.io", "r")->username, "runtime");
    testing::write_file(home_ / "explicit.json", R"({"auths":{"a.io":{"auth":"ZXhwbGljaXQ6cA=="}}})");
    testing::ScopedEnv explicit_file("REGISTRY_AUTH_FILE", (home_ / "explicit.json").string());
    EXPECT_EQ(make()->get("a.io", "r")->username, "explicit");
    // A registry only the docker config knows is still found.
    testing::write_file(home_ / "docker/config.json", R"({"auths":{"b.io":{"auth":"ZG9ja2VyOnA="}}})");
    EXPECT_EQ(make()->get("b.io", "r")->username, "docker");
}

TEST_F(DockerConfigPlugin, NamespaceKeysMostSpecificFirst) {
    testing::write_file(home_ / "cfg/containers/auth.json",
                        R"({"auths":{"quay.io":{"auth":"cm9vdDpw"},"quay.io/org":{"auth":"b3JnOnA="},
                                     "quay.io/org/repo":{"auth":"cmVwbzpw"}}})");
    auto plugin = make();
    EXPECT_EQ(plugin->get("quay.io", "org/repo")->username, "repo");
    EXPECT_EQ(plugin->get("quay.io", "org/other")->username, "org");
    EXPECT_EQ(plugin->get("quay.io", "else/x")->username, "root");
}

TEST_F(DockerConfigPlugin, CredHelpersOverCredsStoreOverAuths) {
    helper("specific", "helper-user", "helper-secret");
    helper("store", "store-user", "store-secret");
    testing::write_file(home_ / "docker/config.json",
                        R"({"auths":{"a.io":{"auth":"YXV0aHM6cA=="},"b.io":{}},
                           "credsStore":"store","credHelpers":{"a.io":"specific"}})");
    auto plugin = make();
    auto a = plugin->get("a.io", "r");
    EXPECT_EQ(a->username, "helper-user");
    EXPECT_EQ(a->password.reveal(), "helper-secret");
    EXPECT_NE(a->source.find("credHelpers -> docker-credential-specific"), std::string::npos);
    auto b = plugin->get("b.io", "r");
    EXPECT_EQ(b->username, "store-user");
    EXPECT_NE(b->source.find("credsStore -> docker-credential-store"), std::string::npos);
    plugin->get("b.io", "r");
    plugin->get("b.io", "other");
    EXPECT_EQ(testing::read_file(bin_ / "store.log"), "b.io\n");  // run once per registry
    EXPECT_EQ(plugin->get("docker.io", "library/x")->username, "store-user");
    EXPECT_NE(testing::read_file(bin_ / "store.log").find("https://index.docker.io/v1/"), std::string::npos);
}

TEST_F(DockerConfigPlugin, AMalformedFileIsAnErrorNotSilence) {
    testing::write_file(home_ / "docker/config.json", R"({"auths":{"a.io":{"auth":"%%%"}}})");
    try {
        make()->get("a.io", "r");
        FAIL();
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Plugin);
        EXPECT_NE(f.error().message.find("auths[\"a.io\"].auth is not base64"), std::string::npos)
            << f.error().message;
    }
}

TEST_F(DockerConfigPlugin, ExplicitFilesSetting) {
    testing::write_file(home_ / "mine.json", R"({"auths":{"a.io":{"auth":"bWluZTpw"}}})");
    auto plugin = make(R"({"plugin":"docker-config","files":[")" + (home_ / "mine.json").string() + R"("]})");
    EXPECT_EQ(plugin->get("a.io", "r")->username, "mine");
    EXPECT_EQ(plugin->describe(), (home_ / "mine.json").string());
    EXPECT_THROW(make(R"({"files":"not-a-list"})"), Failure);
}

}  // namespace
}  // namespace boxtool::plugins
