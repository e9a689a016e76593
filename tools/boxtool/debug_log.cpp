#include "debug_log.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "terminal_text.hpp"

namespace boxtool::cli {

bool debug_wanted(const Args& args) {
    if (args.has("--debug")) return true;
    const char* env = std::getenv("BOXTOOL_DEBUG");
    return env && *env && std::strcmp(env, "0") != 0 && std::strcmp(env, "false") != 0;
}

LogCallback debug_log(bool json) {
    return [json](const LogRecord& record) {
        static std::mutex mutex;
        std::lock_guard lock(mutex);
        if (json) {
            // URLs, headers and messages come from registries: escaped, and still JSON.
            std::fprintf(stdout, "%s\n", json_printable(to_json(record)).c_str());
            std::fflush(stdout);
        } else {
            std::fprintf(stderr, "%s\n", printable(to_text(record), false).c_str());
        }
    };
}

}  // namespace boxtool::cli
