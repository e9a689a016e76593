#include "store_location.hpp"

#include <cstdlib>

namespace boxtool::plugins {

std::filesystem::path default_credential_store_path() {
    if (const char* env = std::getenv("BOXTOOL_CREDENTIAL_STORE"); env && *env) return env;
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = std::filesystem::path(home) / ".config";
    else
        base = ".";
    return base / "boxtool" / "credentials.store";
}

}  // namespace boxtool::plugins
