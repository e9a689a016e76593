// Opens an HTTPS connection through a forward proxy: TCP to the proxy (bounded by the connect
// timeout), a CONNECT tunnel to the registry, then the TLS handshake with the registry's
// certificate verified for its name, end to end. Done here rather than with Poco's own proxy
// support so the watchdog (transfer_watchdog.hpp) reaches every step through the aborter (a stop,
// --timeout), the proxy's refusal is explained, and the proxy's credentials go only to the proxy.
// Direct connections and plain HTTP through a proxy are made by the connection pool.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/URI.h>

#include <chrono>
#include <memory>

#include "http/connection_aborter.hpp"
#include "http/proxy.hpp"
#include "http/transfer_watchdog.hpp"

namespace boxtool::http {

// The aborter is pointed at the connection as soon as it exists; `watch` hears of the proxy's
// answer. Throws Poco exceptions for connection failures (as Poco's own connect would), and
// TransportFailure for a proxy that refuses the tunnel.
std::unique_ptr<Poco::Net::HTTPClientSession> open_tunnelled_session(
    const Poco::URI& uri, const Poco::Net::Context::Ptr& context, std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds io_timeout, const ProxyUrl& proxy, ConnectionAborter& aborter,
    TransferWatchdog::Watch& watch);

// "Basic base64(user:password)" for Proxy-Authorization.
std::string proxy_authorization(const ProxyUrl& proxy);

// "host:port" as CONNECT names it (an IPv6 address in brackets).
std::string connect_target(const std::string& host, int port);
// The CONNECT request for `target`, with Proxy-Authorization when the proxy URL names a user.
std::string connect_request(const std::string& target, const ProxyUrl& proxy);
// The status in a proxy's answer head to CONNECT ("HTTP/1.1 200 Connection established": 200),
// 0 when there is none. Also used by the conformance checks' own TLS handshakes.
int connect_status(const std::string& head);

// The Host header for a URI: the port left out when it is the scheme's default.
std::string host_header(const Poco::URI& uri);

}  // namespace boxtool::http
