#include "http/connection_opener.hpp"

#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "http/bulk_read_session.hpp"
#include "http/proxy_failure.hpp"
#include "http/transport_failure.hpp"
#include "util/base64.hpp"

namespace boxtool::http {
namespace {

Poco::Timespan to_span(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

std::string bracketed(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// CONNECT host:port through the proxy on `socket`. The answer's head is read a byte at a time, so
// nothing of the tunnel's own traffic is consumed with it.
void open_tunnel(Poco::Net::StreamSocket& socket, const Poco::URI& uri, const ProxyUrl& proxy,
                 TransferWatchdog::Watch& watch) {
    const std::string target = connect_target(uri.getHost(), uri.getPort());
    const std::string request = connect_request(target, proxy);
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    std::string head;
    char c = 0;
    while (head.size() < 16 * 1024 && head.find("\r\n\r\n") == std::string::npos) {
        int n = socket.receiveBytes(&c, 1);
        if (n <= 0) {
            // Shut down by the watchdog (--timeout, a stop): the client reports that instead.
            if (watch.verdict() != TransferWatchdog::Verdict::None)
                throw Poco::TimeoutException("no answer to CONNECT");
            throw TransportFailure(Error{ErrorKind::Network,
                                         "the proxy " + proxy.str() +
                                             " closed the connection instead of opening a "
                                             "tunnel to " +
                                             target,
                                         uri.getHost(),
                                         {},
                                         "check the proxy (HTTPS_PROXY); it may refuse CONNECT to this port"},
                                   true);
        }
        head.push_back(c);
        watch.progressed();
    }
    const int status = connect_status(head);
    if (status / 100 == 2) return;
    std::string reason = head.substr(0, head.find("\r\n"));
    // 407 asks for credentials; some proxies (tinyproxy) answer wrong ones with 401. A CONNECT is
    // answered by the proxy alone, so either is the proxy's refusal.
    if (status == 407 || status == 401)
        throw TransportFailure(
            Error{ErrorKind::Unauthorized,
                  "the proxy " + proxy.str() + " refused to open a tunnel to " + target +
                      (status == 407 ? ": proxy authentication required (407)"
                                     : ": the proxy refused the credentials (401)"),
                  uri.getHost(),
                  {},
                  proxy.username.empty()
                      ? "give the proxy's user and password in the proxy URL "
                        "(HTTPS_PROXY=http://USER:PASS@" +
                            proxy.host + ":" + std::to_string(proxy.port) + ", or \"proxy\" in the config)"
                      : "check the user and password in the proxy URL (user \"" + proxy.username + "\")"},
            false);
    throw TransportFailure(
        Error{ErrorKind::Network,
              "the proxy " + proxy.str() + " could not open a tunnel (CONNECT) to " + target + ": " + reason,
              uri.getHost(),
              {},
              "the proxy cannot reach the registry or does not allow it; check the registry's name "
              "and port, or list it in NO_PROXY to connect directly"},
        false);
}

// An HTTPS session over a tunnel already made, knowing the registry's host and port. Poco's own
// constructor from a socket refuses a connected one (it sets the port afterwards).
class TunnelledSession final : public SecureSession {
  public:
    TunnelledSession(const Poco::URI& uri, const Poco::Net::Context::Ptr& context,
                     const Poco::Net::SecureStreamSocket& socket)
        : SecureSession(uri.getHost(), uri.getPort(), context) {
        attachSocket(socket);
    }
};

}  // namespace

std::string proxy_authorization(const ProxyUrl& proxy) {
    return "Basic " + util::base64_encode(proxy.username + ":" + proxy.password);
}

std::string connect_target(const std::string& host, int port) {
    return bracketed(host) + ":" + std::to_string(port);
}

std::string connect_request(const std::string& target, const ProxyUrl& proxy) {
    std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
    if (!proxy.username.empty()) request += "Proxy-Authorization: " + proxy_authorization(proxy) + "\r\n";
    return request + "\r\n";
}

int connect_status(const std::string& head) {
    auto space = head.find(' ');
    return space == std::string::npos ? 0 : std::atoi(head.c_str() + space + 1);
}

std::string host_header(const Poco::URI& uri) {
    const bool default_port = (uri.getScheme() == "https" && uri.getPort() == 443) ||
                              (uri.getScheme() == "http" && uri.getPort() == 80);
    return bracketed(uri.getHost()) + (default_port ? "" : ":" + std::to_string(uri.getPort()));
}

std::unique_ptr<Poco::Net::HTTPClientSession> open_tunnelled_session(
    const Poco::URI& uri, const Poco::Net::Context::Ptr& context, std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds io_timeout, const ProxyUrl& proxy, ConnectionAborter& aborter,
    TransferWatchdog::Watch& watch) {
    Poco::Net::StreamSocket socket;
    aborter.target(socket);  // the same connection once connect() makes it
    try {
        // The registry's name is not resolved here: the proxy resolves it.
        socket.connect(Poco::Net::SocketAddress(proxy.host, proxy.port), to_span(connect_timeout));
    } catch (const Poco::Exception& e) {
        rethrow_if_proxy_failure(e, proxy, uri.getHost() + ":" + std::to_string(uri.getPort()));
        throw;
    }
    socket.setReceiveTimeout(to_span(io_timeout));
    socket.setSendTimeout(to_span(io_timeout));
    socket.setNoDelay(true);
    open_tunnel(socket, uri, proxy, watch);
    Poco::Net::SecureStreamSocket secure =
        Poco::Net::SecureStreamSocket::attach(socket, uri.getHost(), context);
    auto session = std::make_unique<TunnelledSession>(uri, context, secure);
    // Poco must never reconnect this session itself (it would after its keep-alive timeout, and
    // directly, not through the proxy). A tunnel the proxy or registry closed while idle fails on
    // first use instead, and the client then opens a fresh one.
    session->setKeepAliveTimeout(Poco::Timespan(24 * 3600, 0));
    aborter.target(session->socket());
    return session;
}

}  // namespace boxtool::http
