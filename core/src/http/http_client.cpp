#include "http/http_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <vector>

#include "http/bulk_read_session.hpp"
#include "http/connection_aborter.hpp"
#include "http/connection_opener.hpp"
#include "http/connection_pool.hpp"
#include "http/proxy_failure.hpp"
#include "http/request_log.hpp"
#include "http/transfer_watchdog.hpp"
#include "http/transport_errors.hpp"
#include "http/transport_failure.hpp"

namespace boxtool::http {
namespace {

// Bodies are handed on in chunks of up to this size: 256 KiB keeps the system calls per megabyte
// few (reading, writing into the store, hashing) while a pull's download threads together hold
// about a megabyte.
constexpr std::uint64_t kSizedBodyChunk = 256 * 1024;
constexpr std::size_t kStreamBodyChunk = 64 * 1024;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// RFC 7230 token characters, for header names.
bool is_token_char(unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// A header must reach the wire as exactly one header: a CR or LF in a value (a token from a token
// server, say) would end it early and let the rest pose as more headers, or as whole requests
// smuggled onto the same connection. RFC 7230: field-value is VCHAR / obs-text / SP / HTAB.
void check_header(const std::string& name, const std::string& value, const Poco::URI& uri) {
    bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return is_token_char(static_cast<unsigned char>(c));
    });
    bool value_ok = std::all_of(value.begin(), value.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u == '\t' || (u >= 0x20 && u != 0x7f);
    });
    if (!name_ok || !value_ok)
        throw Failure(Error{ErrorKind::Protocol,
                            "refusing to send the header \"" + (name_ok ? name : std::string("?")) +
                                "\" to " + uri.getHost() +
                                ": its value holds control characters (CR/LF would inject headers or "
                                "requests)",
                            uri.getHost(),
                            {},
                            "a value that went into it (a token, a redirect) came from a server that sent "
                            "malformed data; report it to the registry's operator"});
}

// A URL to request: no whitespace or control characters, which Poco would put on the request line.
void check_url(const std::string& url) {
    if (std::any_of(url.begin(), url.end(), [](char c) {
            auto u = static_cast<unsigned char>(c);
            return u <= 0x20 || u == 0x7f;
        }))
        throw Failure(ErrorKind::Protocol,
                      "refusing to request a URL with spaces or control characters (from a server's "
                      "redirect or challenge)",
                      "the registry sent a malformed URL; report it to its operator");
}

// Hands a body to `deliver` in chunks, keeping the order of what arrived. Bytes that arrived before
// a connection breaks are still delivered before the error propagates, so a resumed download can
// start exactly where this one stopped (a plain istream::read would drop its partly filled buffer on
// the exception). `arrived` hears of every read as it happens, before the bytes are gathered into a
// chunk: the stall detector counts what the network delivers, not what was handed on.
class BodyChunks {
  public:
    using Deliver = std::function<void(const char*, std::size_t)>;
    using Arrived = std::function<void(std::size_t)>;
    BodyChunks(std::size_t capacity, const Deliver& deliver, const Arrived& arrived)
        : buf_(capacity), deliver_(deliver), arrived_(arrived) {}

    char* space() { return buf_.data() + filled_; }
    std::size_t room() const { return buf_.size() - filled_; }
    void added(std::size_t n) {
        filled_ += n;
        received_ += n;
        arrived_(n);
        if (filled_ == buf_.size()) flush();
    }
    void flush() {
        std::size_t n = filled_;
        filled_ = 0;  // before delivering: a throwing consumer must not see the bytes twice
        if (n) deliver_(buf_.data(), n);
    }
    std::uint64_t received() const { return received_; }

  private:
    std::vector<char> buf_;
    std::size_t filled_ = 0;
    std::uint64_t received_ = 0;
    const Deliver& deliver_;
    const Arrived& arrived_;
};

// A body of unknown length (chunked, or up to the connection's end) through Poco's stream.
std::uint64_t read_stream_body(std::istream& rs, BodyChunks& chunks) {
    try {
        while (true) {
            std::streamsize avail = rs.rdbuf()->in_avail();
            if (avail <= 0) {
                // Nothing buffered: peek makes the stream read from the socket (and may throw).
                if (rs.peek() == std::char_traits<char>::eof()) break;
                continue;
            }
            auto want = std::min<std::streamsize>(avail, static_cast<std::streamsize>(chunks.room()));
            chunks.added(static_cast<std::size_t>(rs.readsome(chunks.space(), want)));
        }
        chunks.flush();
    } catch (...) {
        chunks.flush();
        throw;
    }
    return chunks.received();
}

// A body of known length read straight from the session in large steps (bulk_read_session.hpp):
// one recv() per chunk the kernel has ready instead of one per 4 KiB. Stops at the declared length,
// so the connection is left at the next response, or early if the connection closes (the caller
// compares the count with the length).
std::uint64_t read_sized_body(BulkReader& session, std::uint64_t length, BodyChunks& chunks) {
    try {
        while (chunks.received() < length) {
            auto want = static_cast<std::streamsize>(
                std::min<std::uint64_t>(chunks.room(), length - chunks.received()));
            int got = session.read_bulk(chunks.space(), want);
            if (got <= 0) break;
            chunks.added(static_cast<std::size_t>(got));
        }
        chunks.flush();
    } catch (...) {
        chunks.flush();
        throw;
    }
    return chunks.received();
}

// Copies a streamed request body to the connection; with a declared length, exactly that many
// bytes (a reader that ends early or runs long is an error, not a silently short upload).
void send_streamed_body(std::ostream& os, const Request& req,
                        const std::function<void(std::size_t)>& sent_some) {
    std::array<char, 64 * 1024> buf{};
    std::uint64_t sent = 0;
    while (true) {
        std::size_t want = buf.size();
        if (req.body_length)
            want = static_cast<std::size_t>(std::min<std::uint64_t>(want, *req.body_length - sent));
        if (want == 0) break;
        std::size_t got = req.body_reader(buf.data(), want);
        if (got == 0) break;
        os.write(buf.data(), static_cast<std::streamsize>(got));
        if (!os) throw Poco::Net::NetException("connection failed while sending the request body");
        sent += got;
        sent_some(got);  // an upload moving is not a stall
    }
    if (req.body_length && sent != *req.body_length)
        throw Failure(ErrorKind::Io, "the upload body ended after " + std::to_string(sent) + " of " +
                                         std::to_string(*req.body_length) + " bytes");
    os.flush();
}

std::string seconds_text(std::chrono::milliseconds t) {
    return t.count() % 1000 == 0 ? std::to_string(t.count() / 1000) + " s"
                                 : std::to_string(t.count()) + " ms";
}

}  // namespace

std::string Response::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

std::vector<std::string> Response::header_values(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) out.push_back(v);
    return out;
}

std::string url_encode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

Client::Client(ClientOptions options)
    : options_(std::move(options)), pool_(std::make_unique<ConnectionPool>()) {}
Client::~Client() = default;

Response Client::fetch(const Request& request, const TlsSettings& tls, std::size_t max_body) {
    // A body held in memory is small (a token, a manifest): however slowly it drips, it has a few
    // minutes, even when layers may take as long as they keep moving.
    if (request.limits || options_.limits.deadline.count() > 0)
        return execute(request, tls, nullptr, max_body);
    Request bounded = request;
    bounded.limits = options_.limits;
    bounded.limits->deadline = kSmallBodyDeadline;
    return execute(bounded, tls, nullptr, max_body);
}

Response Client::stream(const Request& request, const TlsSettings& tls, const BodySink& sink) {
    return execute(request, tls, &sink, 64 * 1024);
}

Response Client::execute(const Request& original, const TlsSettings& tls, const BodySink* sink,
                         std::size_t max_body) {
    Request req = original;
    bool strip_authorization = false;
    Poco::URI first(original.url);
    for (int hop = 0;; ++hop) {
        check_url(req.url);
        Poco::URI uri(req.url);
        if (uri.getScheme() != "http" && uri.getScheme() != "https")
            throw Failure(ErrorKind::Protocol, "unsupported URL scheme in " + req.url);
        for (const auto& [k, v] : req.headers) check_header(k, v, uri);
        std::optional<ProxyUrl> proxy;
        try {
            proxy = proxy_for(options_.proxy, uri.getScheme(), uri.getHost(), uri.getPort());
        } catch (const ProxyError& e) {
            throw Failure(Error{ErrorKind::Config,
                                std::string("cannot use the proxy: ") + e.what(),
                                uri.getHost(),
                                {},
                                "fix HTTPS_PROXY / HTTP_PROXY (or \"proxy\" in the config): "
                                "http://[USER:PASS@]HOST:PORT"});
        }
        std::string key;
        bool reused = false;
        // A streamed body cannot be sent twice, so it never risks a pooled connection the server
        // may have closed while idle.
        const bool streamed = static_cast<bool>(req.body_reader);
        // Null: HTTPS through a proxy, whose tunnel is opened below, under the watchdog.
        auto session = pool_->acquire(uri, tls, options_, key, reused, !streamed, proxy);
        bool response_started = false;
        ConnectionAborter aborter;
        if (session) aborter.target(session->socket());
        // One watch per request for every limit: the stall detector, the request deadline and
        // --timeout (the answer timeout), which each request has.
        TransferLimits limits = req.limits ? *req.limits : options_.limits;
        if (limits.answer_timeout.count() == 0) limits.answer_timeout = options_.io_timeout;
        // Declared after the aborter: the watch ends (and calls it no more) before it goes.
        TransferWatchdog::Handle watch = watchdog_.watch(limits, req.stop, [&aborter] { aborter.abort(); });
        std::stop_callback abort_on_stop(req.stop, [&aborter] { aborter.abort(); });
        const std::string host = uri.getHost() + ":" + std::to_string(uri.getPort());
        auto throw_if_tripped = [&] {
            if (req.stop.stop_requested())
                throw Failure(
                    ErrorKind::Cancelled,
                    "pull interrupted; no output was written (downloads so far are kept to resume)");
            auto verdict = watch.watch().verdict();
            if (verdict == TransferWatchdog::Verdict::None) return;
            if (verdict == TransferWatchdog::Verdict::Stalled)
                throw TransportFailure(
                    Error{ErrorKind::Timeout,
                          "the transfer from " + host + " stalled: fewer than " +
                              std::to_string(limits.min_bytes_per_second) + " bytes/s for " +
                              std::to_string(limits.stall_window.count() / 1000) + " s",
                          host,
                          {},
                          "the registry or the network is too slow; retry later, or lower the minimum with "
                          "--speed-limit / --speed-time"},
                    true);
            if (verdict == TransferWatchdog::Verdict::NoAnswer)
                throw TransportFailure(
                    Error{
                        ErrorKind::Timeout,
                        "timed out talking to " + host + ": no answer within " +
                            seconds_text(limits.answer_timeout) + " (--timeout)",
                        host,
                        {},
                        "the registry is slow or unreachable; check the network, retry, or raise --timeout"},
                    true);
            throw TransportFailure(Error{ErrorKind::Timeout,
                                         "a request to " + host + " did not finish within " +
                                             std::to_string(limits.deadline.count() / 1000) + " s",
                                         host,
                                         {},
                                         "the registry is too slow; retry later, or raise --max-time"},
                                   true);
        };
        const auto started = std::chrono::steady_clock::now();
        LogRecord logged{.kind = LogRecord::Kind::Request,
                         .method = req.method,
                         .url = redact_url(req.url),
                         .registry = host_of(req.url),
                         .proxy = proxy ? proxy->str() : std::string()};
        try {
            try {
                if (!session) {
                    session =
                        open_tunnelled_session(uri, pool_->context_for(tls), options_.connect_timeout,
                                               socket_timeout(options_), *proxy, aborter, watch.watch());
                    session->setKeepAlive(true);
                    session->setTimeout(to_timespan(options_.connect_timeout),
                                        to_timespan(socket_timeout(options_)),
                                        to_timespan(socket_timeout(options_)));
                }
                std::string path = uri.getPathAndQuery();
                if (path.empty()) path = "/";
                // Through a proxy, plain HTTP asks in the absolute-URI form (RFC 9112 3.2.2), with the
                // proxy's credentials; HTTPS went through the tunnel opened for the session.
                const bool via_proxy = proxy && uri.getScheme() == "http";
                if (via_proxy) path = "http://" + host_header(uri) + path;
                Poco::Net::HTTPRequest hreq(req.method, path, Poco::Net::HTTPMessage::HTTP_1_1);
                hreq.set("Host", host_header(uri));
                if (via_proxy && !proxy->username.empty())
                    hreq.set("Proxy-Authorization", proxy_authorization(*proxy));
                hreq.set("User-Agent", options_.user_agent);
                for (const auto& [k, v] : req.headers) {
                    // Credentials are for the registry that asked for them, never for a host it redirects to.
                    if (strip_authorization && iequals(k, "Authorization")) continue;
                    hreq.add(k, v);
                }
                if (streamed) {
                    if (req.body_length)
                        hreq.setContentLength64(static_cast<Poco::Int64>(*req.body_length));
                    else
                        hreq.setChunkedTransferEncoding(true);
                    if (!req.content_type.empty()) hreq.setContentType(req.content_type);
                } else if (!req.body.empty() || req.method == "POST" || req.method == "PUT" ||
                           req.method == "PATCH") {
                    hreq.setContentLength64(static_cast<Poco::Int64>(req.body.size()));
                    if (!req.content_type.empty()) hreq.setContentType(req.content_type);
                }
                if (options_.log) {
                    HeaderList sent;
                    for (const auto& [k, v] : hreq) sent.emplace_back(k, v);
                    logged.headers = loggable_headers(sent);
                    emit(options_.log, logged);
                }
                std::ostream& os = session->sendRequest(hreq);
                if (streamed)
                    send_streamed_body(os, req, [&](std::size_t n) { watch.watch().received(n); });
                else
                    os.write(req.body.data(), static_cast<std::streamsize>(req.body.size()));
                Poco::Net::HTTPResponse hresp;
                std::istream& rs = session->receiveResponse(hresp);
                response_started = true;
                watch.watch().progressed();
                rs.exceptions(std::ios::badbit);

                Response resp;
                resp.status = static_cast<int>(hresp.getStatus());
                resp.reason = hresp.getReason();
                for (const auto& [k, v] : hresp) resp.headers.emplace_back(k, v);
                resp.final_url = req.url;
                Poco::Int64 length = hresp.getContentLength64();
                if (options_.log) {
                    logged.kind = LogRecord::Kind::Response;
                    logged.time = {};
                    logged.status = resp.status;
                    logged.headers = loggable_headers(resp.headers);
                    logged.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started);
                    emit(options_.log, logged);
                }
                if (via_proxy) check_proxy_status(resp.status, *proxy, uri.getHost());

                bool redirect = resp.status == 301 || resp.status == 302 || resp.status == 303 ||
                                resp.status == 307 || resp.status == 308;
                bool to_sink = sink && resp.status >= 200 && resp.status < 300;
                std::size_t cap = to_sink ? 0 : (redirect ? 64 * 1024 : max_body);
                if (!to_sink && req.method != "HEAD" &&
                    length != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH &&
                    static_cast<std::uint64_t>(length) > cap) {
                    session->reset();
                    throw BodyTooLarge(ErrorKind::Protocol, "response from " + uri.getHost() +
                                                                " is larger than " + std::to_string(cap) +
                                                                " bytes");
                }
                if (to_sink && req.on_response) req.on_response(resp);
                // A HEAD answer has headers only: its Content-Length describes the GET's body.
                if (req.method == "HEAD") {
                    if (hresp.getKeepAlive()) {
                        aborter.disarm();
                        pool_->release(key, std::move(session));
                    }
                    return resp;
                }
                const BodyChunks::Deliver deliver = [&](const char* data, std::size_t n) {
                    if (to_sink) {
                        (*sink)(data, n);
                        return;
                    }
                    if (resp.body.size() + n > cap)
                        throw BodyTooLarge(ErrorKind::Protocol, "response from " + uri.getHost() +
                                                                    " is larger than " + std::to_string(cap) +
                                                                    " bytes");
                    resp.body.append(data, n);
                };
                const BodyChunks::Arrived arrived = [&](std::size_t n) { watch.watch().received(n); };
                const bool sized = length != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH &&
                                   !hresp.getChunkedTransferEncoding();
                auto* bulk = dynamic_cast<BulkReader*>(session.get());
                std::uint64_t received = 0;
                if (sized && bulk) {
                    // Large chunks for blobs (fewer writes and hashing calls downstream too); a
                    // manifest or token needs no more than its length.
                    const auto capacity = static_cast<std::size_t>(
                        std::min<std::uint64_t>(static_cast<std::uint64_t>(length), kSizedBodyChunk));
                    BodyChunks chunks(std::max<std::size_t>(capacity, 1), deliver, arrived);
                    received = read_sized_body(*bulk, static_cast<std::uint64_t>(length), chunks);
                } else {
                    BodyChunks chunks(kStreamBodyChunk, deliver, arrived);
                    received = read_stream_body(rs, chunks);
                }
                throw_if_tripped();
                if (length != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH &&
                    received != static_cast<std::uint64_t>(length)) {
                    session->reset();
                    throw TransportFailure(
                        Error{ErrorKind::Network,
                              "connection to " + uri.getHost() + " closed after " + std::to_string(received) +
                                  " of " + std::to_string(length) + " bytes",
                              uri.getHost(),
                              {},
                              "retry the pull"},
                        true);
                }
                if (hresp.getKeepAlive() && !req.stop.stop_requested()) {
                    aborter.disarm();
                    pool_->release(key, std::move(session));
                }

                if (!redirect || !req.follow_redirects) return resp;
                if (hop >= options_.max_redirects)
                    throw Failure(ErrorKind::Protocol, "too many redirects starting at " + original.url,
                                  "the registry sends requests around in circles; report it to its operator");
                std::string location = resp.header("Location");
                if (location.empty())
                    throw Failure(ErrorKind::Protocol, "redirect without a Location from " + req.url);
                check_url(location);
                Poco::URI next(uri);
                next.resolve(location);
                if (uri.getScheme() == "https" && next.getScheme() != "https")
                    throw Failure(ErrorKind::Tls,
                                  "refusing to follow a redirect from HTTPS to " + next.getScheme() + " (" +
                                      next.toString() + ")",
                                  "a registry must not downgrade a secure connection");
                bool cross_origin = origin_of(next) != origin_of(uri);
                bool keeps_body = resp.status == 307 || resp.status == 308;
                // A 307/308 repeats the request with its body. A body may carry credentials (an OAuth2
                // password or refresh token grant): it goes to the origin it was meant for or nowhere.
                if (keeps_body && cross_origin && (!req.body.empty() || streamed))
                    throw Failure(Error{ErrorKind::Protocol,
                                        "refusing to follow a " + std::to_string(resp.status) +
                                            " redirect from " + origin_of(uri) + " to " + origin_of(next) +
                                            ": it would send the request body (which may hold credentials) "
                                            "to another host",
                                        uri.getHost(),
                                        {},
                                        "the server redirects a POST elsewhere; point the client at the "
                                        "final address, or report it to the server's operator"});
                if (origin_of(next) != origin_of(first)) strip_authorization = true;
                emit(options_.log,
                     LogRecord{.kind = LogRecord::Kind::Redirect,
                               .url = redact_url(next.toString()),
                               .registry = next.getHost(),
                               .message = std::to_string(resp.status) + " from " + redact_url(req.url) +
                                          (strip_authorization ? ", without Authorization" : "")});
                // 303 turns any request into a GET without its body, and 301 and 302 turn a POST into
                // one, as browsers do. A streamed upload cannot be sent twice.
                if ((resp.status == 303 && req.method != "HEAD") ||
                    ((resp.status == 301 || resp.status == 302) && req.method == "POST")) {
                    req.method = "GET";
                    req.body.clear();
                    req.content_type.clear();
                    req.body_reader = nullptr;
                    req.body_length.reset();
                } else if (streamed) {
                    throw Failure(ErrorKind::Protocol, "the registry redirected an upload (" + req.url +
                                                           ") that cannot be sent twice");
                }
                req.url = next.toString();
            } catch (const Poco::Exception& e) {
                throw_if_tripped();
                // A pooled connection the server closed while idle fails on first use: try a fresh one
                // once.
                if (reused && !response_started && !streamed &&
                    (dynamic_cast<const Poco::Net::NoMessageException*>(&e) ||
                     dynamic_cast<const Poco::Net::ConnectionResetException*>(&e) ||
                     dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&e))) {
                    --hop;
                    continue;
                }
                if (proxy && !response_started) rethrow_if_proxy_failure(e, *proxy, host);
                throw_transport(e, uri, tls);
            } catch (const BodyTooLarge&) {
                throw;
            } catch (const Failure& f) {
                // A consumer that threw because the connection broke under it says less than the
                // verdict.
                if (f.error().kind != ErrorKind::Cancelled) throw_if_tripped();
                throw;
            }
        } catch (const Failure& f) {
            // The request log (--debug) hears of every failure, in the words the user will see.
            if (options_.log) {
                logged.kind = LogRecord::Kind::Failure;
                logged.time = {};
                logged.headers.clear();
                logged.message = f.error().message;
                logged.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started);
                emit(options_.log, logged);
            }
            throw;
        }
    }
}

}  // namespace boxtool::http
