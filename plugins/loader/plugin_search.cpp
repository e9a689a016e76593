#include "plugin_search.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>

#include <cstdlib>

#include "boxtool/credential_chain.hpp"
#include "boxtool/error.hpp"

#ifndef BOXTOOL_PLUGIN_INSTALL_DIR
#define BOXTOOL_PLUGIN_INSTALL_DIR "/usr/local/lib/boxtool/plugins"
#endif
#ifndef BOXTOOL_PLUGIN_RELATIVE_DIR
#define BOXTOOL_PLUGIN_RELATIVE_DIR "../lib/boxtool/plugins"
#endif

namespace boxtool::plugins {

std::vector<std::filesystem::path> plugin_search_dirs(const std::vector<std::filesystem::path>& configured) {
    std::vector<std::filesystem::path> dirs(configured.begin(), configured.end());
    if (const char* env = std::getenv("BOXTOOL_PLUGIN_PATH"); env && *env) {
        std::string list = env;
        std::size_t start = 0;
        while (start <= list.size()) {
            auto end = list.find(':', start);
            if (end == std::string::npos) end = list.size();
            if (end > start) dirs.emplace_back(list.substr(start, end - start));
            start = end + 1;
        }
    }
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) dirs.push_back((exe.parent_path() / BOXTOOL_PLUGIN_RELATIVE_DIR).lexically_normal());
    // An embedder linking the shared libboxtool-plugins: the plugins installed beside it, even
    // when the whole prefix was moved.
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&plugin_search_dirs), &info) && info.dli_fname) {
        std::filesystem::path lib = std::filesystem::absolute(info.dli_fname, ec).lexically_normal();
        if (!ec && lib.filename().string().rfind("libboxtool", 0) == 0)
            dirs.push_back(lib.parent_path() / "boxtool/plugins");
    }
    dirs.emplace_back(BOXTOOL_PLUGIN_INSTALL_DIR);
    std::vector<std::filesystem::path> unique;
    for (auto& d : dirs)
        if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(std::move(d));
    return unique;
}

std::filesystem::path find_plugin(const std::string& name, const std::vector<std::filesystem::path>& dirs) {
    if (name.find('/') != std::string::npos) return name;
    bool plain = !name.empty() && name.size() <= 64;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) plain = false;
    if (!plain || name[0] == '.')
        throw Failure(ErrorKind::Config, "credential plugin name \"" + name + "\" is not a plain name",
                      "use a name like \"docker-config\", or a path to the .so file");
    std::string searched;
    for (const auto& dir : dirs) {
        auto candidate = dir / (name + ".so");
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
        searched += (searched.empty() ? "" : ", ") + dir.string();
    }
    throw Failure(
        ErrorKind::Plugin,
        "credential plugin \"" + name + "\" not found (looked for " + name + ".so in " + searched + ")",
        "install the plugin, or add its folder to plugin_dirs in the config or to BOXTOOL_PLUGIN_PATH");
}

}  // namespace boxtool::plugins
