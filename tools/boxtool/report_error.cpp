#include <cstdio>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "terminal_text.hpp"

namespace boxtool::cli {

int report_error(const Error& error) {
    // Messages carry text from registries and plugins: escaped before it reaches the terminal.
    std::fprintf(stderr, "boxtool: error: %s\n", printable(error.describe()).c_str());
    return exit_code_for(error.kind);
}

}  // namespace boxtool::cli
