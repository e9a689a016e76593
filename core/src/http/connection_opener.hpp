// Opens a connection for the HTTP client: TCP (bounded by the connect timeout), then through a
// forward proxy's CONNECT tunnel when one applies, then the TLS handshake with the registry's
// certificate verified for its name. Done here rather than inside Poco so the answer deadline
// (answer_deadline.hpp) covers the tunnel and the handshake, and the proxy's credentials are sent
// only to the proxy.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/URI.h>

#include <chrono>
#include <memory>
#include <optional>

#include "http/answer_deadline.hpp"
#include "http/proxy.hpp"

namespace boxtool::http {

// `context` is null for plain HTTP. `deadline` is armed once the TCP connection is up. Throws Poco
// exceptions for connection failures (as Poco's own connect would), and TransportFailure for a proxy
// that refuses the tunnel.
std::unique_ptr<Poco::Net::HTTPClientSession> open_session(
    const Poco::URI& uri, const Poco::Net::Context::Ptr& context, std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds io_timeout, const std::optional<ProxyUrl>& proxy, AnswerDeadline& deadline);

// "Basic base64(user:password)" for Proxy-Authorization.
std::string proxy_authorization(const ProxyUrl& proxy);

// The Host header for a URI: the port left out when it is the scheme's default.
std::string host_header(const Poco::URI& uri);

}  // namespace boxtool::http
