// The least any puller that verifies and keeps what it downloads must spend (issue 14's OCI cases):
// blobs fetched over plain HTTP/1.1 from a local registry on N keep-alive connections, each byte
// hashed with OpenSSL's SHA-256 and written to a file on the way, the digest compared, the file
// renamed into place. No manifest, no authentication, no store layout, no locks, no records, no
// retries, no progress: only what verification and keeping the bytes cost on this machine. It is a
// measuring stick for bench/compare.sh, not a client: it trusts the registry's headers.
//
//   boxtool_verify_floor --jobs N --out DIR HOST:PORT /v2/REPO/blobs/sha256:HEX...

// The same SHA-256 functions boxtool's Hasher uses (core/src/digest.cpp says why not EVP).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "boxtool_verify_floor: %s\n", what.c_str());
    std::exit(1);
}

int connect_to(const std::string& host_port) {
    auto colon = host_port.rfind(':');
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::atoi(host_port.c_str() + colon + 1)));
    if (colon == std::string::npos ||
        ::inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &addr.sin_addr) != 1)
        die("HOST:PORT must be an IPv4 address and a port: " + host_port);
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || ::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        die("cannot connect to " + host_port + ": " + std::strerror(errno));
    return s;
}

std::string to_hex(const unsigned char* md) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) out += {digits[md[i] >> 4], digits[md[i] & 15]};
    return out;
}

// One blob on an open connection: headers, then Content-Length bytes hashed and written.
void fetch(int s, const std::string& host_port, const std::string& path, const std::string& dir,
           std::vector<char>& buf) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host_port + "\r\n\r\n";
    if (::send(s, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
        die("cannot send a request for " + path);
    std::string head;
    std::size_t end = std::string::npos;
    while (end == std::string::npos) {  // a header read may also hold the first body bytes
        ssize_t n = ::recv(s, buf.data(), 4096, 0);
        if (n <= 0) die("the connection ended in the headers of " + path);
        head.append(buf.data(), static_cast<std::size_t>(n));
        end = head.find("\r\n\r\n");
    }
    if (head.compare(0, 12, "HTTP/1.1 200") != 0) die(path + ": " + head.substr(0, head.find('\r')));
    auto at = head.find("Content-Length: ");
    if (at == std::string::npos || at > end) die(path + ": no Content-Length");
    std::uint64_t left = std::strtoull(head.c_str() + at + 16, nullptr, 10);

    std::string hex = path.substr(path.rfind("sha256:") + 7);
    std::string temp = dir + "/." + hex, final_path = dir + "/" + hex;
    int fd = ::open(temp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) die("cannot create " + temp);
    SHA256_CTX sha;
    SHA256_Init(&sha);
    auto keep = [&](const char* data, std::size_t n) {
        SHA256_Update(&sha, data, n);
        if (::write(fd, data, n) != static_cast<ssize_t>(n)) die("cannot write " + temp);
        left -= n;
    };
    if (head.size() > end + 4) keep(head.data() + end + 4, head.size() - end - 4);
    while (left > 0) {
        ssize_t n = ::recv(s, buf.data(), std::min<std::uint64_t>(buf.size(), left), 0);
        if (n <= 0) die("the connection ended in the body of " + path);
        keep(buf.data(), static_cast<std::size_t>(n));
    }
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256_Final(md, &sha);
    if (to_hex(md) != hex) die(path + ": digest mismatch");
    if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(temp.c_str(), final_path.c_str()) != 0)
        die("cannot keep " + final_path);
}

}  // namespace

int main(int argc, char** argv) {
    int jobs = 4;
    std::string dir;
    std::vector<std::string> rest;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--jobs" && i + 1 < argc)
            jobs = std::atoi(argv[++i]);
        else if (a == "--out" && i + 1 < argc)
            dir = argv[++i];
        else
            rest.push_back(a);
    }
    if (dir.empty() || rest.size() < 2 || jobs < 1)
        die("usage: boxtool_verify_floor --jobs N --out DIR HOST:PORT /v2/REPO/blobs/sha256:HEX...");
    const std::string host_port = rest[0];
    std::atomic<std::size_t> next{1};
    std::vector<std::thread> workers;
    for (int j = 0; j < jobs; ++j) {
        workers.emplace_back([&] {
            std::vector<char> buf(256 * 1024);  // boxtool's read size
            int s = -1;
            for (std::size_t i; (i = next++) < rest.size();) {
                if (s < 0) s = connect_to(host_port);
                fetch(s, host_port, rest[i], dir, buf);
            }
            if (s >= 0) ::close(s);
        });
    }
    for (auto& w : workers) w.join();
}
