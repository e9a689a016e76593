#include "tls_probe.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <memory>

#include "http/connection_opener.hpp"

namespace boxtool::checks {
namespace {

int connect_to(const std::string& host, int port, int timeout_ms, std::string& error) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string h = host;
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (::getaddrinfo(h.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) {
        error = "cannot resolve " + host;
        return -1;
    }
    int fd = -1;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        error = std::string("connect: ") + std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(res);
    return fd;
}

// Reads a proxy's answer to CONNECT up to the blank line, byte by byte: whatever follows it belongs
// to the tunnel (the server's TLS or HTTP answer), so nothing may be read past it.
bool read_connect_answer(int fd, std::string& head) {
    char c;
    while (head.size() < 8192) {
        if (::recv(fd, &c, 1, 0) != 1) return false;
        head.push_back(c);
        if (head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0) return true;
    }
    return false;
}

// A connection to host:port, directly or through the forward proxy the rules pick for HTTPS (a
// CONNECT tunnel, as the API requests use: a registry only the proxy reaches is checked the same).
int open_to(const std::string& host, int port, const http::ProxyRules& proxy, int timeout_ms,
            std::string& error) {
    std::optional<http::ProxyUrl> via;
    try {
        via = http::proxy_for(proxy, "https", host, static_cast<std::uint16_t>(port));
    } catch (const http::ProxyError& e) {
        error = std::string("the proxy setting cannot be used: ") + e.what();
        return -1;
    }
    if (!via) return connect_to(host, port, timeout_ms, error);
    int fd = connect_to(via->host, via->port, timeout_ms, error);
    if (fd < 0) {
        error = "the proxy " + via->str() + ": " + error;
        return -1;
    }
    // The request and the answer's status as the engine's tunnels make and read them.
    const std::string authority = http::connect_target(host, port);
    const std::string req = http::connect_request(authority, *via);
    std::string head;
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()) ||
        !read_connect_answer(fd, head)) {
        error = "the proxy " + via->str() + " closed the connection before answering CONNECT " + authority;
        ::close(fd);
        return -1;
    }
    const std::string line = head.substr(0, head.find("\r\n"));
    if (line.rfind("HTTP/1.", 0) != 0 || http::connect_status(line) != 200) {
        // The status line only: the proxy's text is outside input, kept short and printable.
        std::string shown;
        for (char ch : line.substr(0, 80)) shown += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
        error = "the proxy " + via->str() + " refused CONNECT " + authority + " (" + shown + ")";
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string openssl_errors() {
    std::string out;
    unsigned long e;
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

std::optional<std::time_t> to_time(const ASN1_TIME* t) {
    if (!t) return std::nullopt;
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
    return ::timegm(&tm);
}

void add_roots(SSL_CTX* ctx, const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                  BIO_free);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, cert);
        X509_free(cert);
    }
    ERR_clear_error();
}

}  // namespace

TlsHandshake tls_handshake(const std::string& host, int port, const http::TlsSettings& tls,
                           const http::ProxyRules& proxy, bool legacy_only, int timeout_ms) {
    TlsHandshake out;
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    if (!ctx) {
        out.error = "cannot create a TLS context";
        return out;
    }
    if (legacy_only) {
        SSL_CTX_set_security_level(ctx.get(), 0);
        SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0");
        SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
        SSL_CTX_set_max_proto_version(ctx.get(), TLS1_1_VERSION);
    } else {
        SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
        SSL_CTX_set_default_verify_paths(ctx.get());
        for (const auto& pem : tls.extra_roots) add_roots(ctx.get(), pem);
    }
    if (!tls.client_certificate.empty()) {
        SSL_CTX_use_certificate_chain_file(ctx.get(), tls.client_certificate.c_str());
        SSL_CTX_use_PrivateKey_file(ctx.get(), tls.client_key.c_str(), SSL_FILETYPE_PEM);
        ERR_clear_error();
    }
    // Verification is evaluated after the handshake, so the certificate can be looked at even
    // when it does not verify.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    int fd = open_to(host, port, proxy, timeout_ms, out.error);
    if (fd < 0) return out;
    out.connected = true;
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
    SSL_set_fd(ssl.get(), fd);
    in_addr a4{};
    in6_addr a6{};
    bool is_ip =
        ::inet_pton(AF_INET, host.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl.get(), host.c_str());
    if (SSL_connect(ssl.get()) != 1) {
        out.error = openssl_errors();
        if (out.error.empty()) out.error = "the handshake failed (connection closed)";
        ::close(fd);
        return out;
    }
    out.handshake = true;
    out.protocol = SSL_get_version(ssl.get());
    X509* cert = SSL_get1_peer_certificate(ssl.get());
    if (cert) {
        long v = SSL_get_verify_result(ssl.get());
        out.chain_ok = v == X509_V_OK;
        if (!out.chain_ok) out.chain_error = X509_verify_cert_error_string(v);
        out.hostname_ok = is_ip ? X509_check_ip_asc(cert, host.c_str(), 0) == 1
                                : X509_check_host(cert, host.c_str(), host.size(), 0, nullptr) == 1;
        char buf[512];
        X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
        out.subject = buf;
        if (auto* sans =
                static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))) {
            for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
                const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
                std::string name;
                if (n->type == GEN_DNS) {
                    name = reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName));
                } else if (n->type == GEN_IPADD && n->d.iPAddress->length == 4) {
                    const unsigned char* p = n->d.iPAddress->data;
                    name = std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) +
                           "." + std::to_string(p[3]);
                }
                if (!name.empty()) out.names += (out.names.empty() ? "" : ",") + name;
            }
            GENERAL_NAMES_free(sans);
        }
        out.not_before = to_time(X509_get0_notBefore(cert));
        out.not_after = to_time(X509_get0_notAfter(cert));
        X509_free(cert);
    }
    SSL_shutdown(ssl.get());
    ::close(fd);
    ERR_clear_error();
    return out;
}

PlainAnswer plain_http_answer(const std::string& host, int port, const http::ProxyRules& proxy,
                              int timeout_ms) {
    PlainAnswer out;
    int fd = open_to(host, port, proxy, timeout_ms, out.text);
    if (fd < 0) return out;
    out.connected = true;
    std::string req = "GET /v2/ HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
                      "\r\nUser-Agent: boxtool-conformance\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) < 0) {
        ::close(fd);
        out.text = "the connection was closed";
        return out;
    }
    std::string got;
    char buf[1024];
    while (got.find("\r\n") == std::string::npos && got.size() < 4096) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (got.empty()) {
        out.text = "the connection was closed without an answer";
        return out;
    }
    std::string line = got.substr(0, got.find("\r\n"));
    if (line.rfind("HTTP/", 0) == 0 && line.size() >= 12) {
        try {
            out.status = std::stoi(line.substr(9, 3));
        } catch (...) {
        }
        out.text = line;
        return out;
    }
    out.text = "a non-HTTP answer (" + std::to_string(got.size()) + " bytes, TLS alert or garbage)";
    return out;
}

}  // namespace boxtool::checks
