#include "server_key.hpp"

#include <algorithm>
#include <cctype>

namespace boxtool::plugins {
namespace {
std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}
bool is_docker_hub(const std::string& host) {
    return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io" ||
           host == "registry.hub.docker.com";
}
}  // namespace

std::string normalize_server_key(std::string_view key) {
    std::string k(key);
    while (!k.empty() && std::isspace(static_cast<unsigned char>(k.back()))) k.pop_back();
    while (!k.empty() && std::isspace(static_cast<unsigned char>(k.front()))) k.erase(0, 1);
    bool had_scheme = false;
    for (std::string_view scheme : {"https://", "http://"}) {
        if (k.size() >= scheme.size() && lower(k.substr(0, scheme.size())) == scheme) {
            k.erase(0, scheme.size());
            had_scheme = true;
        }
    }
    auto slash = k.find('/');
    std::string host = lower(k.substr(0, slash));
    std::string path = slash == std::string::npos ? "" : k.substr(slash + 1);
    // docker writes URLs (https://HOST/v1/): only the host counts. podman writes HOST/NAMESPACE.
    if (had_scheme) path.clear();
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path == "v1" || path == "v2") path.clear();
    if (host.empty()) return {};
    if (is_docker_hub(host)) host = "docker.io";
    return path.empty() ? host : host + "/" + path;
}

std::vector<std::string> lookup_keys(std::string_view registry, std::string_view repository) {
    std::string host = normalize_server_key(registry);
    std::vector<std::string> keys;
    std::string repo(repository);
    while (!repo.empty()) {
        keys.push_back(host + "/" + repo);
        auto slash = repo.rfind('/');
        if (slash == std::string::npos) break;
        repo.resize(slash);
    }
    keys.push_back(host);
    return keys;
}

std::string helper_server_url(std::string_view registry) {
    std::string host = normalize_server_key(registry);
    return host == "docker.io" ? "https://index.docker.io/v1/" : host;
}

}  // namespace boxtool::plugins
