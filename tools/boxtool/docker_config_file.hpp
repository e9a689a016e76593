// Writing docker's config.json as `docker login` and `docker logout` do: `auths` entries, or the
// configured credential helper (credHelpers[host], else credsStore) when there is one.
#pragma once

#include <filesystem>
#include <string>

namespace boxtool::cli {

// $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
std::filesystem::path docker_config_path();

// Stores user and password for `registry` (normalized host, "docker.io" for Docker Hub). Returns
// where they went ("docker-credential-pass", "/root/.docker/config.json auths[...]"). The file is
// rewritten atomically (mode 0600) with every other key kept. Throws Failure.
std::string docker_config_store(const std::string& registry, const std::string& username,
                                const std::string& password);

// Removes what docker_config_store wrote; returns where it was removed from, "" when there was
// nothing. Throws Failure.
std::string docker_config_erase(const std::string& registry);

}  // namespace boxtool::cli
