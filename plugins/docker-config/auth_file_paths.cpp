#include "auth_file_paths.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace boxtool::plugins {
namespace {
std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}
std::filesystem::path home() {
    if (auto h = env("HOME"); !h.empty()) return h;
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
    return {};
}
}  // namespace

std::vector<std::filesystem::path> default_auth_files() {
    std::vector<std::filesystem::path> files;
    if (auto f = env("REGISTRY_AUTH_FILE"); !f.empty()) files.emplace_back(f);
    if (auto run = env("XDG_RUNTIME_DIR"); !run.empty())
        files.push_back(std::filesystem::path(run) / "containers" / "auth.json");
    auto config_home = env("XDG_CONFIG_HOME");
    auto h = home();
    if (!config_home.empty())
        files.push_back(std::filesystem::path(config_home) / "containers" / "auth.json");
    else if (!h.empty())
        files.push_back(h / ".config" / "containers" / "auth.json");
    if (auto d = env("DOCKER_CONFIG"); !d.empty())
        files.push_back(std::filesystem::path(d) / "config.json");
    else if (!h.empty())
        files.push_back(h / ".docker" / "config.json");
    return files;
}

}  // namespace boxtool::plugins
