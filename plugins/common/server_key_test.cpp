#include "server_key.hpp"

#include <gtest/gtest.h>

namespace boxtool::plugins {
namespace {

TEST(ServerKey, NormalizesAsDockerAndPodmanDo) {
    EXPECT_EQ(normalize_server_key("https://index.docker.io/v1/"), "docker.io");
    EXPECT_EQ(normalize_server_key("index.docker.io"), "docker.io");
    EXPECT_EQ(normalize_server_key("registry-1.docker.io"), "docker.io");
    EXPECT_EQ(normalize_server_key("docker.io"), "docker.io");
    EXPECT_EQ(normalize_server_key("http://127.0.0.1:5000"), "127.0.0.1:5000");
    EXPECT_EQ(normalize_server_key("https://Quay.IO/v2/"), "quay.io");
    EXPECT_EQ(normalize_server_key("quay.io/org/repo/"), "quay.io/org/repo");
    EXPECT_EQ(normalize_server_key("localhost:5000/v1/"), "localhost:5000");
    EXPECT_EQ(normalize_server_key("docker.io/library/alpine"), "docker.io/library/alpine");
    EXPECT_EQ(normalize_server_key(""), "");
}

TEST(ServerKey, LooksUpMostSpecificNamespaceFirst) {
    EXPECT_EQ(
        lookup_keys("quay.io", "org/team/repo"),
        (std::vector<std::string>{"quay.io/org/team/repo", "quay.io/org/team", "quay.io/org", "quay.io"}));
    EXPECT_EQ(lookup_keys("registry-1.docker.io", "library/alpine"),
              (std::vector<std::string>{"docker.io/library/alpine", "docker.io/library", "docker.io"}));
    EXPECT_EQ(lookup_keys("127.0.0.1:5000", ""), (std::vector<std::string>{"127.0.0.1:5000"}));
}

TEST(ServerKey, HelperServerUrlKeepsDockerHubsHistoricName) {
    EXPECT_EQ(helper_server_url("docker.io"), "https://index.docker.io/v1/");
    EXPECT_EQ(helper_server_url("127.0.0.1:5000"), "127.0.0.1:5000");
}

}  // namespace
}  // namespace boxtool::plugins
