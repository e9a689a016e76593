#include "harness/paths.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#ifndef BOXTOOL_SOURCE_DIR
#error "BOXTOOL_SOURCE_DIR must be defined by the build"
#endif
#ifndef BOXTOOL_BINARY
#define BOXTOOL_BINARY ""
#endif

namespace boxtool::harness {

std::filesystem::path source_dir() {
    return BOXTOOL_SOURCE_DIR;
}

std::filesystem::path boxtool_binary() {
    if (const char* over = std::getenv("BOXTOOL_BINARY"); over && *over) return over;
    return BOXTOOL_BINARY;
}

std::filesystem::path python() {
    return "/usr/bin/python3";
}

std::filesystem::path fixture_script(const std::filesystem::path& relative) {
    auto path = source_dir() / relative;
    if (!std::filesystem::exists(path)) throw std::runtime_error("fixture script missing: " + path.string());
    return path;
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        int saved = errno;
        ::close(fd);
        throw std::runtime_error(std::string("bind 127.0.0.1:0: ") + std::strerror(saved));
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace boxtool::harness
