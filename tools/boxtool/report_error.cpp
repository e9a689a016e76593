#include <cstdio>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace boxtool::cli {

int report_error(const Error& error) {
    std::fprintf(stderr, "boxtool: error: %s\n", error.describe().c_str());
    return exit_code_for(error.kind);
}

}  // namespace boxtool::cli
