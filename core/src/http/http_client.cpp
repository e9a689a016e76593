#include "http/http_client.hpp"

#include <Poco/Delegate.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/VerificationErrorArgs.h>
#include <Poco/URI.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "http/answer_deadline.hpp"
#include "http/connection_opener.hpp"
#include "http/proxy_failure.hpp"
#include "http/request_log.hpp"
#include "http/tls_trust.hpp"
#include "http/transport_failure.hpp"

namespace boxtool::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// The reason OpenSSL gave for rejecting a certificate, captured on the handshaking thread so the
// error can say "certificate has expired" rather than a bare "handshake failed".
thread_local std::string t_verify_error;

void on_verification_error(const void*, Poco::Net::VerificationErrorArgs& args) {
    t_verify_error = args.errorMessage();
    if (!args.certificate().subjectName().empty())
        t_verify_error += " (certificate " + args.certificate().subjectName() + ")";
    args.setIgnoreError(false);
}

void init_ssl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        Poco::Net::SSLManager::instance().ClientVerificationError += Poco::delegate(&on_verification_error);
    });
}

std::string origin_of(const Poco::URI& uri) {
    return uri.getScheme() + "://" + uri.getHost() + ":" + std::to_string(uri.getPort());
}

Poco::Timespan to_timespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

// Where a certs.d folder for this registry would be looked for, for hints.
std::string certs_d_places(const Poco::URI& uri) {
    std::string name = uri.getHost();
    if (uri.getPort() != 443 && uri.getPort() != 80) name += ":" + std::to_string(uri.getPort());
    return "~/.config/containers/certs.d/" + name + "/, /etc/containers/certs.d/" + name +
           "/ or /etc/docker/certs.d/" + name + "/";
}

[[noreturn]] void throw_transport(const Poco::Exception& e, const Poco::URI& uri, const TlsSettings& tls) {
    std::string host = uri.getHost() + ":" + std::to_string(uri.getPort());
    std::string what = e.displayText();
    auto fail = [&](ErrorKind kind, std::string msg, std::string hint, bool transient) {
        return TransportFailure(Error{kind, std::move(msg), host, {}, std::move(hint)}, transient);
    };
    if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e))
        throw fail(ErrorKind::Network, "connection refused by " + host,
                   "check that the registry is running and the host and port are right", false);
    // A host that does not take a connection within the connect timeout is down or unreachable:
    // retrying would cost a full timeout each time, so the pull moves on to the next candidate.
    if (dynamic_cast<const Poco::TimeoutException*>(&e) &&
        what.find("connect timed out") != std::string::npos)
        throw fail(ErrorKind::Timeout, "could not connect to " + host + " within the connect timeout",
                   "the registry is down or unreachable; check the host and port, or raise --connect-timeout",
                   false);
    if (dynamic_cast<const Poco::TimeoutException*>(&e))
        throw fail(ErrorKind::Timeout, "timed out talking to " + host,
                   "the registry is slow or unreachable; check the network, or retry", true);
    if (dynamic_cast<const Poco::Net::HostNotFoundException*>(&e) ||
        dynamic_cast<const Poco::Net::NoAddressFoundException*>(&e) ||
        dynamic_cast<const Poco::Net::DNSException*>(&e))
        throw fail(ErrorKind::Network, "cannot resolve " + uri.getHost(),
                   "check the registry name and your DNS", false);
    if (dynamic_cast<const Poco::Net::SSLException*>(&e)) {
        std::string detail = t_verify_error.empty() ? what : t_verify_error;
        t_verify_error.clear();
        bool plain_http = what.find("wrong version number") != std::string::npos ||
                          what.find("packet length too long") != std::string::npos ||
                          what.find("record layer failure") != std::string::npos;
        if (plain_http)
            throw fail(ErrorKind::Tls,
                       "TLS handshake with " + host + " failed: the server does not speak TLS (" + what + ")",
                       "it seems to serve plain HTTP; if you trust it, allow it with --insecure-registry " +
                           host + " (or \"insecure_registries\" in the config)",
                       false);
        const std::string skip =
            "if it is a test registry you trust, --insecure-registry " + host + " skips verification";
        // TLS 1.3 servers refuse a missing client certificate after the handshake, with an alert.
        bool client_cert_refused = what.find("certificate required") != std::string::npos ||
                                   what.find("alert bad certificate") != std::string::npos ||
                                   what.find("alert unknown ca") != std::string::npos;
        if (client_cert_refused && detail == what) {
            if (tls.client_certificate.empty())
                throw fail(
                    ErrorKind::Tls,
                    "TLS connection to " + host +
                        " failed: the registry requires a client certificate and none was presented (" +
                        what + ")",
                    "put the client certificate and key as client.cert and client.key in a certs.d "
                    "folder for the registry: " +
                        certs_d_places(uri) + ", or a folder listed in \"certs_dirs\" in the config",
                    false);
            throw fail(ErrorKind::Tls,
                       "TLS connection to " + host + " failed: the registry refused the client certificate " +
                           tls.client_certificate + " (" + what + ")",
                       "the certificate is not issued by a CA the registry accepts for clients, or has "
                       "expired; get one it accepts",
                       false);
        }
        if (dynamic_cast<const Poco::Net::CertificateValidationException*>(&e) && t_verify_error.empty() &&
            detail == what)
            throw fail(ErrorKind::Tls,
                       "TLS connection to " + host + " failed: the certificate is not valid for the name " +
                           uri.getHost() + " (" + what + ")",
                       "connect with a name the certificate lists, or have it reissued for " + uri.getHost() +
                           "; " + skip,
                       false);
        if (detail.find("expired") != std::string::npos || detail.find("not yet valid") != std::string::npos)
            throw fail(
                ErrorKind::Tls, "TLS connection to " + host + " failed: " + detail,
                "the registry's certificate is outside its validity period (or this machine's clock is "
                "wrong); renew the certificate, or " +
                    skip,
                false);
        // Say what was trusted already, so a wrong CA file is told from a missing one.
        std::string trusted;
        for (const auto& origin : tls.extra_root_origins) trusted += (trusted.empty() ? "" : ", ") + origin;
        if (!trusted.empty()) detail += "; trusted besides the system store: " + trusted;
        throw fail(ErrorKind::Tls, "TLS connection to " + host + " failed: " + detail,
                   "if the registry uses a private CA, trust it: --ca-file FILE, \"extra_root_certificates\" "
                   "in the config, a CA file NAME.crt in a certs.d folder for the registry (" +
                       certs_d_places(uri) +
                       ", or one listed in \"certs_dirs\"), or the system trust store; " + skip,
                   false);
    }
    throw fail(ErrorKind::Network, "network error talking to " + host + ": " + what,
               "the connection failed; check the network and retry", true);
}

// Reads a body in chunks of up to 64 KiB. Bytes that arrived before a connection breaks are still
// delivered before the error propagates, so a resumed download can start exactly where this one
// stopped (a plain istream::read would drop its partly filled buffer on the exception).
std::uint64_t read_body(std::istream& rs, const std::function<void(const char*, std::size_t)>& deliver) {
    std::array<char, 64 * 1024> buf{};
    std::size_t filled = 0;
    std::uint64_t received = 0;
    auto flush = [&] {
        std::size_t n = filled;
        filled = 0;  // before delivering: a throwing consumer must not see the bytes twice
        if (n) deliver(buf.data(), n);
    };
    try {
        while (true) {
            std::streamsize avail = rs.rdbuf()->in_avail();
            if (avail <= 0) {
                // Nothing buffered: peek makes the stream read from the socket (and may throw).
                if (rs.peek() == std::char_traits<char>::eof()) break;
                continue;
            }
            auto want = std::min<std::streamsize>(avail, static_cast<std::streamsize>(buf.size() - filled));
            auto got = rs.readsome(buf.data() + filled, want);
            filled += static_cast<std::size_t>(got);
            received += static_cast<std::uint64_t>(got);
            if (filled == buf.size()) flush();
        }
        flush();
    } catch (...) {
        flush();
        throw;
    }
    return received;
}

// Copies a streamed request body to the connection; with a declared length, exactly that many
// bytes (a reader that ends early or runs long is an error, not a silently short upload).
void send_streamed_body(std::ostream& os, const Request& req) {
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
    }
    if (req.body_length && sent != *req.body_length)
        throw Failure(ErrorKind::Io, "the upload body ended after " + std::to_string(sent) + " of " +
                                         std::to_string(*req.body_length) + " bytes");
    os.flush();
}

// The answer did not come within --timeout (answer_deadline.hpp): transient, so retries apply.
TransportFailure answer_timeout(const Poco::URI& uri, std::chrono::milliseconds limit) {
    const std::string host = uri.getHost() + ":" + std::to_string(uri.getPort());
    return TransportFailure(
        Error{ErrorKind::Timeout,
              "timed out talking to " + host + ": no answer within " +
                  (limit.count() % 1000 == 0 ? std::to_string(limit.count() / 1000) + " s"
                                             : std::to_string(limit.count()) + " ms") +
                  " (--timeout)",
              host,
              {},
              "the registry is slow or unreachable; check the network, retry, or raise --timeout"},
        true);
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

// Shuts a session's connection down from another thread (a stop request), so a read blocked on a
// silent server returns at once. Only the file descriptor is shut down, not closed: the owning
// thread still closes it, so the number cannot be reused under its feet. disarm() before the
// session leaves the owning thread's hands (back to the pool).
class ConnectionAborter {
  public:
    explicit ConnectionAborter(Poco::Net::HTTPClientSession& session) : session_(&session) {}
    void abort() {
        std::lock_guard lock(mutex_);
        if (!session_) return;
        auto* impl = session_->socket().impl();
        if (impl && impl->initialized()) ::shutdown(impl->sockfd(), SHUT_RDWR);
    }
    void disarm() {
        std::lock_guard lock(mutex_);
        session_ = nullptr;
    }

  private:
    std::mutex mutex_;
    Poco::Net::HTTPClientSession* session_;
};

// Idle keep-alive sessions per origin and TLS settings, so layers and manifests reuse connections.
struct Client::Pool {
    std::mutex mutex;
    std::map<std::string, std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>>> idle;
    struct Entry {
        std::size_t id;
        Poco::Net::Context::Ptr context;
    };
    std::map<TlsSettings, Entry> contexts;  // guarded by mutex
    std::size_t next_id = 0;
    static constexpr std::size_t kMaxIdlePerOrigin = 16;

    Poco::Net::Context::Ptr context(const TlsSettings& tls) {
        auto it = contexts.find(tls);
        if (it != contexts.end()) return it->second.context;
        Poco::Net::Context::Params params;
        // VERIFY_STRICT, not RELAXED: Poco 1.11 skips the host name check for loopback addresses
        // unless the mode is strict, and a certificate for another name must never pass.
        params.verificationMode =
            tls.verify ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
        params.loadDefaultCAs = tls.verify;
        params.cipherList = "HIGH:!aNULL:!MD5:!RC4";
        auto ctx =
            Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
        ctx->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        // Extra roots join the system store rather than replace it, as docker and podman do.
        if (tls.verify)
            for (std::size_t i = 0; i < tls.extra_roots.size(); ++i)
                add_root_certificates(ctx->sslContext(), tls.extra_roots[i], tls.extra_root_origins.at(i));
        if (!tls.client_certificate.empty())
            use_client_certificate(ctx->sslContext(), tls.client_certificate, tls.client_key);
        contexts.emplace(tls, Entry{next_id++, ctx});
        return ctx;
    }

    // Distinct TLS settings never share a pooled connection.
    std::size_t settings_id(const TlsSettings& tls) {
        context(tls);
        return contexts.at(tls).id;
    }

    // An idle session for the origin, TLS settings and proxy, or null: the caller opens a new one
    // (connection_opener.hpp) outside the lock, with `context` for HTTPS.
    std::unique_ptr<Poco::Net::HTTPClientSession> acquire(const Poco::URI& uri, const TlsSettings& tls,
                                                          std::string& key, bool allow_reuse,
                                                          const std::optional<ProxyUrl>& proxy,
                                                          Poco::Net::Context::Ptr& tls_context) {
        std::lock_guard lock(mutex);
        key = origin_of(uri) + "|" + std::to_string(settings_id(tls));
        if (proxy) key += "|" + proxy->str() + "|" + proxy->username;  // never share across proxies
        tls_context = uri.getScheme() == "https" ? context(tls) : nullptr;
        auto& list = idle[key];
        if (allow_reuse && !list.empty()) {
            auto s = std::move(list.back());
            list.pop_back();
            return s;
        }
        return nullptr;
    }

    void release(const std::string& key, std::unique_ptr<Poco::Net::HTTPClientSession> s) {
        std::lock_guard lock(mutex);
        auto& list = idle[key];
        if (list.size() < kMaxIdlePerOrigin) list.push_back(std::move(s));
    }
};

Client::Client(ClientOptions options) : options_(std::move(options)), pool_(std::make_unique<Pool>()) {
    init_ssl_once();
}
Client::~Client() = default;

Response Client::fetch(const Request& request, const TlsSettings& tls, std::size_t max_body) {
    return execute(request, tls, nullptr, max_body);
}

Response Client::stream(const Request& request, const TlsSettings& tls, const BodySink& sink) {
    return execute(request, tls, &sink, 64 * 1024);
}

Response Client::execute(const Request& original, const TlsSettings& tls, const BodySink* sink,
                         std::size_t max_body) {
    Request req = original;
    bool strip_authorization = false;
    auto emit_failure = [this](LogRecord& record, const std::string& why,
                               std::chrono::steady_clock::time_point since) {
        if (!options_.log) return;
        record.kind = LogRecord::Kind::Failure;
        record.time = {};
        record.headers.clear();
        record.message = why;
        record.elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since);
        emit(options_.log, record);
    };
    Poco::URI first(original.url);
    for (int hop = 0;; ++hop) {
        Poco::URI uri(req.url);
        if (uri.getScheme() != "http" && uri.getScheme() != "https")
            throw Failure(ErrorKind::Protocol, "unsupported URL scheme in " + req.url);
        std::string key;
        bool reused = false;
        // A streamed body cannot be sent twice, so it never risks a pooled connection the server
        // may have closed while idle.
        const bool streamed = static_cast<bool>(req.body_reader);
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
        Poco::Net::Context::Ptr tls_context;
        auto session = pool_->acquire(uri, tls, key, !streamed, proxy, tls_context);
        reused = session != nullptr;
        const auto started = std::chrono::steady_clock::now();
        LogRecord logged{.kind = LogRecord::Kind::Request,
                         .method = req.method,
                         .url = redact_url(req.url),
                         .registry = host_of(req.url),
                         .proxy = proxy ? proxy->str() : std::string()};
        bool response_started = false;
        // Declared before the session's users: it stops watching before the session goes anywhere.
        AnswerDeadline deadline(options_.io_timeout);
        std::unique_ptr<ConnectionAborter> aborter;
        std::optional<std::stop_callback<std::function<void()>>> abort_on_stop;
        try {
            if (!session) {
                // A stop while connecting ends the wait at the next timeout at worst: the connect
                // timeout is short, and the deadline covers the handshake.
                session = open_session(uri, tls_context, options_.connect_timeout, options_.io_timeout, proxy,
                                       deadline);
                session->setKeepAlive(true);
                session->setTimeout(to_timespan(options_.connect_timeout), to_timespan(options_.io_timeout),
                                    to_timespan(options_.io_timeout));
            } else {
                deadline.arm(session->socket().impl()->sockfd());
            }
            aborter = std::make_unique<ConnectionAborter>(*session);
            abort_on_stop.emplace(req.stop, std::function<void()>([&aborter] { aborter->abort(); }));
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
                send_streamed_body(os, req);
            else
                os.write(req.body.data(), static_cast<std::streamsize>(req.body.size()));
            Poco::Net::HTTPResponse hresp;
            std::istream& rs = session->receiveResponse(hresp);
            response_started = true;
            deadline.kick();
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
            if (proxy && uri.getScheme() == "http") check_proxy_status(resp.status, *proxy, uri.getHost());

            bool redirect = resp.status == 301 || resp.status == 302 || resp.status == 303 ||
                            resp.status == 307 || resp.status == 308;
            bool to_sink = sink && resp.status >= 200 && resp.status < 300;
            std::size_t cap = to_sink ? 0 : (redirect ? 64 * 1024 : max_body);
            if (!to_sink && req.method != "HEAD" &&
                length != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH &&
                static_cast<std::uint64_t>(length) > cap) {
                session->reset();
                throw BodyTooLarge(
                    ErrorKind::Protocol,
                    "response from " + uri.getHost() + " is larger than " + std::to_string(cap) + " bytes");
            }
            if (to_sink && req.on_response) req.on_response(resp);
            // A HEAD answer has headers only: its Content-Length describes the GET's body.
            if (req.method == "HEAD") {
                deadline.stop();
                aborter->disarm();
                if (hresp.getKeepAlive() && !deadline.expired()) pool_->release(key, std::move(session));
                return resp;
            }
            std::uint64_t received = read_body(rs, [&](const char* data, std::size_t n) {
                deadline.kick();
                if (to_sink) {
                    (*sink)(data, n);
                    return;
                }
                if (resp.body.size() + n > cap)
                    throw BodyTooLarge(ErrorKind::Protocol, "response from " + uri.getHost() +
                                                                " is larger than " + std::to_string(cap) +
                                                                " bytes");
                resp.body.append(data, n);
            });
            deadline.stop();
            if (req.stop.stop_requested())
                throw Failure(ErrorKind::Cancelled, "pull interrupted; nothing partial was kept");
            if (deadline.expired()) throw answer_timeout(uri, options_.io_timeout);
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
                aborter->disarm();
                pool_->release(key, std::move(session));
            }

            if (!redirect || !req.follow_redirects) return resp;
            if (hop >= options_.max_redirects)
                throw Failure(ErrorKind::Protocol, "too many redirects starting at " + original.url);
            std::string location = resp.header("Location");
            if (location.empty())
                throw Failure(ErrorKind::Protocol, "redirect without a Location from " + req.url);
            Poco::URI next(uri);
            next.resolve(location);
            if (uri.getScheme() == "https" && next.getScheme() != "https")
                throw Failure(ErrorKind::Tls,
                              "refusing to follow a redirect from HTTPS to " + next.getScheme() + " (" +
                                  next.toString() + ")",
                              "a registry must not downgrade a secure connection");
            if (origin_of(next) != origin_of(first)) strip_authorization = true;
            emit(options_.log,
                 LogRecord{.kind = LogRecord::Kind::Redirect,
                           .url = redact_url(next.toString()),
                           .registry = next.getHost(),
                           .message = std::to_string(resp.status) + " from " + redact_url(req.url) +
                                      (strip_authorization ? ", without Authorization" : "")});
            if (resp.status == 303) {
                req.method = "GET";
                req.body.clear();
                req.body_reader = nullptr;
                req.body_length.reset();
            } else if (streamed) {
                throw Failure(ErrorKind::Protocol, "the registry redirected an upload (" + req.url +
                                                       ") that cannot be sent twice");
            }
            req.url = next.toString();
        } catch (const Poco::Exception& e) {
            deadline.stop();
            if (req.stop.stop_requested())
                throw Failure(ErrorKind::Cancelled, "pull interrupted; nothing partial was kept");
            if (deadline.expired()) {
                emit_failure(logged, "no answer within " + std::to_string(options_.io_timeout.count()) + "ms",
                             started);
                throw answer_timeout(uri, options_.io_timeout);
            }
            // A pooled connection the server closed while idle fails on first use: try a fresh one once.
            if (reused && !response_started && !streamed &&
                (dynamic_cast<const Poco::Net::NoMessageException*>(&e) ||
                 dynamic_cast<const Poco::Net::ConnectionResetException*>(&e) ||
                 dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&e))) {
                --hop;
                continue;
            }
            emit_failure(logged, e.displayText(), started);
            if (proxy && !response_started)
                rethrow_if_proxy_failure(e, *proxy, uri.getHost() + ":" + std::to_string(uri.getPort()));
            throw_transport(e, uri, tls);
        }
    }
}

}  // namespace boxtool::http
