#include "credential_input.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <iterator>

#include "boxtool/error.hpp"

namespace boxtool::cli {
namespace {

constexpr std::size_t kMaxPassword = 64 * 1024;

}  // namespace

std::string read_secret_stdin() {
    std::string text;
    char buf[4096];
    while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(std::cin.gcount()));
        if (text.size() > kMaxPassword)
            throw Failure(ErrorKind::InvalidArgument, "password on stdin is too long");
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

std::optional<std::string> prompt_secret(const std::string& prompt) {
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return std::nullopt;
    (void)!::write(fd, prompt.data(), prompt.size());
    termios old{};
    bool restore = ::tcgetattr(fd, &old) == 0;
    if (restore) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    std::string pw;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n' && pw.size() < kMaxPassword) pw.push_back(c);
    if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    return pw;
}

namespace {
std::string prompt_password(const std::string& user) {
    auto pw = prompt_secret("Password for " + user + ": ");
    if (!pw)
        throw Failure(ErrorKind::InvalidArgument,
                      "--creds " + user + " has no password and there is no terminal to ask",
                      "pass the password with --password-stdin, or as --creds USER:PASS");
    return *pw;
}
}  // namespace

std::optional<Credential> credential_from_flags(const std::optional<std::string>& creds,
                                                bool password_stdin) {
    if (!creds) {
        if (password_stdin)
            throw Failure(ErrorKind::InvalidArgument, "--password-stdin needs --creds USER",
                          "use --creds USER --password-stdin");
        return std::nullopt;
    }
    Credential c;
    c.source = "--creds";
    auto colon = creds->find(':');
    c.username = creds->substr(0, colon);
    if (c.username.empty())
        throw Failure(ErrorKind::InvalidArgument, "--creds needs a user name (USER[:PASS])");
    if (colon != std::string::npos) {
        if (password_stdin)
            throw Failure(ErrorKind::InvalidArgument,
                          "--creds USER:PASS and --password-stdin both give a password", "use one of them");
        c.password = Secret(creds->substr(colon + 1));
    } else if (password_stdin) {
        c.password = Secret(read_secret_stdin());
        c.source = "--creds with --password-stdin";
    } else {
        c.password = Secret(prompt_password(c.username));
    }
    return c;
}

}  // namespace boxtool::cli
