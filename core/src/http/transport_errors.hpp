// Turns a Poco exception from a connection into a TransportFailure that says what went wrong in
// the user's terms (refused, timed out, which TLS problem) and what to try next.
#pragma once

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "http/http_client.hpp"
#include "http/transport_failure.hpp"

namespace boxtool::http {

// Initialises OpenSSL through Poco once, and captures certificate verification errors on the
// handshaking thread for throw_transport.
void init_ssl_once();

[[noreturn]] void throw_transport(const Poco::Exception& e, const Poco::URI& uri, const TlsSettings& tls);

}  // namespace boxtool::http
