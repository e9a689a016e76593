#include "http/proxy_failure.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>

#include "http/transport_failure.hpp"

namespace boxtool::http {
namespace {

std::string credentials_hint(const ProxyUrl& proxy) {
    return proxy.username.empty()
               ? "give the proxy's user and password in the proxy URL (HTTPS_PROXY=http://USER:PASS@" +
                     proxy.host + ":" + std::to_string(proxy.port) + ", or \"proxy\" in the config)"
               : "check the user and password in the proxy URL (user \"" + proxy.username + "\")";
}

}  // namespace

void check_proxy_status(int status, const ProxyUrl& proxy, const std::string& target) {
    if (status != 407) return;
    throw TransportFailure(Error{ErrorKind::Unauthorized,
                                 "the proxy " + proxy.str() + " refused to forward the request to " + target +
                                     ": proxy authentication required (407)",
                                 target,
                                 {},
                                 credentials_hint(proxy)},
                           false);
}

void rethrow_if_proxy_failure(const Poco::Exception& e, const ProxyUrl& proxy, const std::string& target) {
    const std::string what = e.displayText();
    auto fail = [&](ErrorKind kind, const std::string& message, const std::string& hint, bool transient) {
        throw TransportFailure(Error{kind, message, target, {}, hint}, transient);
    };
    const std::string where = "the proxy " + proxy.str();
    if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e))
        fail(ErrorKind::Network, "connection refused by " + where + " (on the way to " + target + ")",
             "check HTTPS_PROXY / HTTP_PROXY (or \"proxy\" in the config), or list the registry in NO_PROXY",
             false);
    if (dynamic_cast<const Poco::Net::HostNotFoundException*>(&e) ||
        dynamic_cast<const Poco::Net::NoAddressFoundException*>(&e))
        fail(ErrorKind::Network, "cannot resolve the proxy host " + proxy.host,
             "check HTTPS_PROXY / HTTP_PROXY (or \"proxy\" in the config)", false);
    if (dynamic_cast<const Poco::TimeoutException*>(&e) &&
        what.find("connect timed out") != std::string::npos)
        fail(ErrorKind::Timeout, "could not connect to " + where + " within the connect timeout",
             "check HTTPS_PROXY / HTTP_PROXY, or raise --connect-timeout", false);
}

}  // namespace boxtool::http
