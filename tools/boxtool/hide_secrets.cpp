#include "hide_secrets.hpp"

#include <cstring>

namespace boxtool::cli {
namespace {

void blank_password(char* value) {
    char* colon = std::strchr(value, ':');
    if (!colon) return;  // USER alone: the password is asked for, not given
    for (char* p = colon + 1; *p; ++p) *p = 'x';
}

}  // namespace

void hide_secret_arguments(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--") == 0) return;
        if (std::strcmp(argv[i], "--creds") == 0 && i + 1 < argc)
            blank_password(argv[++i]);
        else if (std::strncmp(argv[i], "--creds=", 8) == 0)
            blank_password(argv[i] + 8);
    }
}

}  // namespace boxtool::cli
