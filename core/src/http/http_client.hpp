// A small HTTP(S) client over Poco with keep-alive connection pooling. Poco stays inside core/src:
// callers see plain structs, and every Poco exception becomes a boxtool::Failure here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "boxtool/error.hpp"
#include "boxtool/network.hpp"
#include "http/proxy.hpp"
#include "http/transfer_watchdog.hpp"

namespace boxtool::http {

class ConnectionPool;

// How a TLS connection is verified, and what it presents. registry_tls.hpp builds one per registry.
struct TlsSettings {
    bool verify = true;
    // PEM text of roots trusted besides the system store, and where each came from (for errors).
    std::vector<std::string> extra_roots;
    std::vector<std::string> extra_root_origins;
    std::string client_certificate;  // PEM file; empty: none presented
    std::string client_key;          // PEM file of its private key
    std::string certs_dir;           // the certs.d folder used for this registry, if any (for messages)

    bool operator<(const TlsSettings& o) const {
        return std::tie(verify, extra_roots, client_certificate, client_key) <
               std::tie(o.verify, o.extra_roots, o.client_certificate, o.client_key);
    }
};

struct Request {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string content_type;
    // A body streamed from a reader instead of `body` (uploads: a layer is never held in memory).
    // The reader fills up to `size` bytes and returns how many it wrote, 0 at the end. With
    // `body_length` the request carries that Content-Length, without it chunked transfer encoding.
    // Such a request goes over a fresh connection and is never replayed: the reader is consumed.
    std::function<std::size_t(char* data, std::size_t size)> body_reader;
    std::optional<std::uint64_t> body_length;
    bool follow_redirects = true;
    // Called with the status and headers of a 2xx answer before its body reaches the sink (after
    // redirects), so a caller can tell a ranged answer (206) from a whole one (200).
    std::function<void(const struct Response&)> on_response;
    // Once stopped, the connection is shut down: a read blocked on a silent server returns at
    // once, and the call throws Failure(Cancelled).
    std::stop_token stop;
    // Overrides the client's stall detector and deadline for this request (a token request may
    // deserve less patience than a layer).
    std::optional<TransferLimits> limits;
};

struct Response {
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;  // in order, names as sent
    std::string body;                                          // the body, unless it was streamed to a sink
    std::string final_url;                                     // after redirects

    std::string header(std::string_view name) const;  // first value, case-insensitive; "" if absent
    std::vector<std::string> header_values(std::string_view name) const;
};

struct ClientOptions {
    std::chrono::milliseconds connect_timeout{5000};
    // --timeout: the longest wait for an answer (TLS handshake and proxy CONNECT included) and then
    // between body bytes, enforced by the watchdog (TransferLimits::answer_timeout).
    std::chrono::milliseconds io_timeout{60000};
    std::string user_agent = "boxtool";
    int max_redirects = 5;
    // Stall detector and whole-request deadline: a server dripping bytes, or a silent TLS
    // handshake, ends in a transient Timeout instead of holding the pull forever.
    TransferLimits limits{};
    ProxyRules proxy;  // forward proxies (proxy.hpp); empty: direct connections
    LogCallback log;   // one record per request, answer, redirect and failure (request_log.hpp)
};

// Receives body bytes as they arrive. Returning normally continues; throwing aborts the transfer.
using BodySink = std::function<void(const char* data, std::size_t size)>;

class Client {
  public:
    // The deadline of a fetch() when the client sets none.
    static constexpr std::chrono::minutes kSmallBodyDeadline{2};

    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends a request and reads a body of at most max_body bytes into Response::body.
    Response fetch(const Request& request, const TlsSettings& tls, std::size_t max_body);
    // Sends a request; a 2xx body goes to `sink` as it arrives, any other body (up to 64 KiB) into
    // Response::body so the caller can read the registry's error document.
    Response stream(const Request& request, const TlsSettings& tls, const BodySink& sink);

  private:
    Response execute(const Request& request, const TlsSettings& tls, const BodySink* sink,
                     std::size_t max_body);
    ClientOptions options_;
    std::unique_ptr<ConnectionPool> pool_;
    TransferWatchdog watchdog_;  // last: it stops before the pool goes
};

// Percent-encodes a query value.
std::string url_encode(std::string_view value);

}  // namespace boxtool::http
