// Failures of a connection made through a forward proxy, told apart from the registry's own: a
// proxy that refuses the connection, wants credentials (407) or cannot reach the registry.
#pragma once

#include <string>

#include "http/proxy.hpp"

namespace Poco {
class Exception;
}

namespace boxtool::http {

// Throws a TransportFailure naming the proxy when `e` (raised while connecting to the proxy on the
// way to `target`) is the proxy's doing: refused, unresolvable, too slow; returns when it is not.
// (A proxy that refuses the tunnel itself is told apart in connection_opener.cpp.)
void rethrow_if_proxy_failure(const Poco::Exception& e, const ProxyUrl& proxy, const std::string& target);

// For an answer the proxy itself gave to a plain-HTTP request: 407 becomes an Unauthorized failure
// naming the proxy. Other statuses return.
void check_proxy_status(int status, const ProxyUrl& proxy, const std::string& target);

}  // namespace boxtool::http
