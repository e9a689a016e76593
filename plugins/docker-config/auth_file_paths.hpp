// The auth files docker, podman and skopeo read, in the order containers/image reads them.
#pragma once

#include <filesystem>
#include <vector>

namespace boxtool::plugins {

// $REGISTRY_AUTH_FILE (when set), $XDG_RUNTIME_DIR/containers/auth.json,
// ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json, then $DOCKER_CONFIG/config.json (default
// ~/.docker/config.json). Unset variables contribute nothing.
std::vector<std::filesystem::path> default_auth_files();

}  // namespace boxtool::plugins
