/// \file
/// How the engine reaches registries: forward proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) and a
/// log of every request and answer for `--debug`-style diagnostics.
///
///     boxtool::EngineOptions options;
///     options.proxy.https_proxy = "http://proxy.internal:3128";   // CONNECT tunnels, TLS end to end
///     options.proxy.no_proxy = ".internal,10.0.0.0/8";
///     options.log = [](const boxtool::LogRecord& r) {              // any thread: keep it thread-safe
///         std::fprintf(stderr, "%s\n", boxtool::to_text(r).c_str());
///     };
///
/// Log records never carry a secret: Authorization, Proxy-Authorization and cookie headers, token
/// and signature query parameters and user information in URLs are redacted before a record is
/// made, and bodies are never logged.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "boxtool/export.hpp"

namespace boxtool {

/// Forward proxies, with the semantics of curl and Go's net/http.
struct ProxyOptions {
    std::string http_proxy;   ///< for plain-HTTP registries (absolute-URI requests); "" none
    std::string https_proxy;  ///< for HTTPS registries (CONNECT tunnel); "" none
    /// Hosts reached directly: comma- or space-separated host names (matching the name and its
    /// subdomains), ".suffix" or "*.suffix" (subdomains only), "host:port", IP addresses, CIDR
    /// ranges ("10.0.0.0/8", "fd00::/8"), or "*" for every host.
    std::string no_proxy;
    /// Loopback hosts (localhost, 127.0.0.0/8, ::1) are never proxied unless this is set.
    bool proxy_loopback = false;
    /// Fill the fields left empty from https_proxy/HTTPS_PROXY, http_proxy/HTTP_PROXY,
    /// all_proxy/ALL_PROXY and no_proxy/NO_PROXY (the lower-case form wins when both are set).
    bool use_environment = true;
};

/// One line of the request log.
struct LogRecord {
    enum class Kind {
        Request,     ///< a request is sent (method, url, headers)
        Response,    ///< its answer arrived (status, headers, elapsed)
        Redirect,    ///< the answer redirects (url: the new place; message: where from)
        Retry,       ///< a transient failure; attempt is the one that failed (message: why)
        Credential,  ///< which credential source answered for a registry (message)
        Failure,     ///< a request failed without an answer (message: why)
    };
    Kind kind = Kind::Request;
    std::chrono::system_clock::time_point time;
    std::string method;
    std::string url;       ///< redacted: no user information, token or signature values
    std::string registry;  ///< host[:port] the record is about
    std::string proxy;     ///< the proxy used ("http://proxy:3128", never its credentials); "" direct
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  ///< the ones that matter, redacted
    std::chrono::milliseconds elapsed{0};  ///< Response, Failure: since the request was sent
    int attempt = 0;                       ///< Retry: the attempt that failed, from 1
    std::string message;
};

/// Called from the engine's threads, possibly several at once: implementations must be thread-safe
/// and quick.
using LogCallback = std::function<void(const LogRecord&)>;

/// "request", "response", ...: the "event" of the JSON form.
BOXTOOL_API const char* to_string(LogRecord::Kind kind) noexcept;
/// One line for people: `> GET https://reg/v2/ [Accept: ...]`, `< 200 OK https://reg/v2/ 12ms`.
BOXTOOL_API std::string to_text(const LogRecord& record);
/// One JSON line: {"event":"http-response","time":"...","method":"GET","url":...,"status":200,...}.
BOXTOOL_API std::string to_json(const LogRecord& record);

}  // namespace boxtool
