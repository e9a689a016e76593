// Forward-proxy rules shared by the engine's HTTP client and the plugins that make their own
// requests (ssm, kbs): which proxy, if any, a request to scheme://host:port goes through, with the
// semantics of curl and Go's net/http (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY). Only the
// standard library and Poco::Net are used, so plugins compile this file into themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace Poco::Net {
class HTTPClientSession;
}

namespace boxtool::http {

struct ProxyRules {
    std::string http_proxy;   // URL, "" none
    std::string https_proxy;  // URL, "" none
    std::string no_proxy;     // NO_PROXY list
    bool proxy_loopback = false;

    bool empty() const { return http_proxy.empty() && https_proxy.empty(); }
};

// A proxy URL that cannot be used (malformed, or a scheme other than http://). The message names
// the variable or setting only by what the caller adds; it never repeats a password.
struct ProxyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ProxyUrl {
    std::string host;
    std::uint16_t port = 80;
    std::string username;  // from http://user:pass@host:port, percent-decoded
    std::string password;
    std::string str() const;  // "http://host:port", never the credentials
};

// Parses "http://[user:pass@]host[:port][/]" or "host[:port]" (http assumed). Throws ProxyError.
ProxyUrl parse_proxy_url(std::string_view url);

// Fills the empty fields of `rules` from the environment: https_proxy/HTTPS_PROXY,
// http_proxy/HTTP_PROXY (the upper-case form is ignored when REQUEST_METHOD is set, as in CGI),
// all_proxy/ALL_PROXY for both, no_proxy/NO_PROXY. The lower-case form wins when both are set.
void fill_from_environment(ProxyRules& rules);

// True when NO_PROXY (`no_proxy`) says host:port is reached directly.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port);

// True for localhost, *.localhost, 127.0.0.0/8 and ::1.
bool is_loopback_host(std::string_view host);

// The proxy for a request, or nothing for a direct connection. Throws ProxyError for a proxy URL
// that cannot be used.
std::optional<ProxyUrl> proxy_for(const ProxyRules& rules, std::string_view scheme, std::string_view host,
                                  std::uint16_t port);

// Configures a Poco session to go through `proxy`: plain HTTP requests then use the absolute-URI
// form, HTTPS sessions open a CONNECT tunnel and verify the registry's certificate end to end, and
// the proxy's credentials travel as Proxy-Authorization (Basic).
void apply_proxy(Poco::Net::HTTPClientSession& session, const ProxyUrl& proxy);

// For the plugins' own requests: the environment's proxy rules applied to a fresh session for
// scheme://host:port (link-local addresses, such as EC2's metadata service, are always direct).
// Throws ProxyError for a proxy URL that cannot be used.
void use_environment_proxy(Poco::Net::HTTPClientSession& session, std::string_view scheme,
                           std::string_view host, std::uint16_t port);

}  // namespace boxtool::http
