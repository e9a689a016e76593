// Direct TLS handshakes with OpenSSL, for what an HTTP client hides: the verification result
// without aborting, the peer certificate's names and dates, which protocol versions the server
// accepts, and what it answers to plain HTTP on the same port.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "http/http_client.hpp"
#include "http/proxy.hpp"

namespace boxtool::checks {

struct TlsHandshake {
    bool connected = false;   // TCP connection made
    bool handshake = false;   // TLS handshake completed
    std::string error;        // why not
    bool chain_ok = false;    // the chain verifies against the system store and the given roots
    std::string chain_error;  // OpenSSL's reason when it does not
    bool hostname_ok = false;
    std::string subject;
    std::string names;  // subject alternative names, for evidence
    std::optional<std::time_t> not_before;
    std::optional<std::time_t> not_after;
    std::string protocol;  // "TLSv1.3"
};

// `legacy_only`: offer TLS 1.0 and 1.1 only (at security level 0), to see whether they are refused.
// Through the HTTPS proxy `proxy` picks for host:port, if any (a CONNECT tunnel).
TlsHandshake tls_handshake(const std::string& host, int port, const http::TlsSettings& tls,
                           const http::ProxyRules& proxy, bool legacy_only, int timeout_ms);

struct PlainAnswer {
    bool connected = false;  // false: `text` says why there was no connection
    int status = 0;          // the HTTP status, 0 when the answer was not HTTP
    std::string text;        // the status line, or what happened instead
};

// Sends "GET /v2/ HTTP/1.1" in clear to a TLS port (through the same tunnel as the handshakes).
PlainAnswer plain_http_answer(const std::string& host, int port, const http::ProxyRules& proxy,
                              int timeout_ms);

}  // namespace boxtool::checks
