// Idle keep-alive connections per origin, TLS settings and proxy, and the TLS contexts they use:
// what the HTTP client keeps between requests.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/URI.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/bulk_read_session.hpp"
#include "http/http_client.hpp"
#include "http/proxy.hpp"
#include "http/tls_trust.hpp"
#include "http/transport_errors.hpp"

namespace boxtool::http {

// "scheme://host:port", for telling a redirect to another origin.
std::string origin_of(const Poco::URI& uri);

inline Poco::Timespan to_timespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

// Poco's own socket timeouts: only a backstop behind the watchdog's --timeout
// (TransferLimits::answer_timeout), a little longer so that the watchdog, which names --timeout and
// bounds the TLS handshake as a whole, always ends a silent wait first.
inline std::chrono::milliseconds socket_timeout(const ClientOptions& o) {
    return o.io_timeout + std::chrono::seconds(1);
}

// Idle keep-alive sessions per origin, TLS settings and proxy, so layers and manifests reuse
// connections.
class ConnectionPool {
  public:
    std::mutex mutex;
    std::map<std::string, std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>>> idle;
    std::map<TlsSettings, std::size_t> ids;                   // guarded by mutex
    std::map<TlsSettings, Poco::Net::Context::Ptr> contexts;  // guarded by mutex
    static constexpr std::size_t kMaxIdlePerOrigin = 16;

    // Made on the first HTTPS connection with these settings, and OpenSSL set up only then: a
    // plain-HTTP pull never loads the CA store nor initialises OpenSSL (a few MiB resident).
    Poco::Net::Context::Ptr context(const TlsSettings& tls) {
        auto it = contexts.find(tls);
        if (it != contexts.end()) return it->second;
        init_ssl_once();
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
        contexts.emplace(tls, ctx);
        return ctx;
    }

    // Distinct TLS settings never share a pooled connection.
    std::size_t settings_id(const TlsSettings& tls) { return ids.try_emplace(tls, ids.size()).first->second; }

    Poco::Net::Context::Ptr context_for(const TlsSettings& tls) {
        std::lock_guard lock(mutex);
        return context(tls);
    }

    // An idle session for the origin, TLS settings and proxy, or a new one that connects on first
    // use (to the registry; for plain HTTP through a proxy, to the proxy, which then takes absolute
    // URIs). HTTPS through a proxy needs a CONNECT tunnel first: then null, and the caller opens it
    // (connection_opener.hpp) where the watchdog can reach it.
    std::unique_ptr<Poco::Net::HTTPClientSession> acquire(const Poco::URI& uri, const TlsSettings& tls,
                                                          const ClientOptions& opts, std::string& key,
                                                          bool& reused, bool allow_reuse,
                                                          const std::optional<ProxyUrl>& proxy) {
        std::lock_guard lock(mutex);
        key = origin_of(uri) + "|" + std::to_string(settings_id(tls));
        if (proxy) key += "|" + proxy->str() + "|" + proxy->username;  // never shared across proxies
        auto& list = idle[key];
        if (allow_reuse && !list.empty()) {
            auto s = std::move(list.back());
            list.pop_back();
            reused = true;
            return s;
        }
        reused = false;
        std::unique_ptr<Poco::Net::HTTPClientSession> s;
        if (proxy && uri.getScheme() == "https") return nullptr;
        if (proxy) {
            s = std::make_unique<PlainSession>(proxy->host, proxy->port);
        } else if (uri.getScheme() == "https") {
            s = std::make_unique<SecureSession>(uri.getHost(), uri.getPort(), context(tls));
            // The handshake waits for the first write, after connect() has handed the socket to the
            // session: a stop (or the stall detector) can then shut it down while a silent server
            // holds the handshake. Done inside connect(), it could not be reached until it timed out.
            Poco::Net::SecureStreamSocket(s->socket()).setLazyHandshake(true);
        } else
            s = std::make_unique<PlainSession>(uri.getHost(), uri.getPort());
        s->setKeepAlive(true);
        s->setTimeout(to_timespan(opts.connect_timeout), to_timespan(socket_timeout(opts)),
                      to_timespan(socket_timeout(opts)));
        return s;
    }

    void release(const std::string& key, std::unique_ptr<Poco::Net::HTTPClientSession> s) {
        std::lock_guard lock(mutex);
        auto& list = idle[key];
        if (list.size() < kMaxIdlePerOrigin) list.push_back(std::move(s));
    }
};

}  // namespace boxtool::http
