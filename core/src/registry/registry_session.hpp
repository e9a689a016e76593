// Talks the distribution protocol to one registry for one pull: ping, authentication (Basic and
// Bearer), manifests and blobs, with retries for transient failures.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "boxtool/credentials.hpp"
#include "boxtool/manifest.hpp"
#include "boxtool/network.hpp"
#include "http/http_client.hpp"
#include "http/retry_policy.hpp"
#include "registry/challenge.hpp"
#include "registry/registry_errors.hpp"
#include "registry/token_cache.hpp"

namespace boxtool::registry {

struct SessionOptions {
    std::string registry;   // normalized, e.g. "docker.io" or "127.0.0.1:5000"
    bool insecure = false;  // plain HTTP, or HTTPS without verification, allowed
    int retries = 3;
    CredentialProvider* credentials = nullptr;
    http::TlsSettings tls;  // for the registry, its token realm and its redirects; verify = !insecure
    std::stop_token stop;   // the pull's: stops requests and the waits between retries
    LogCallback log;        // EngineOptions::log: retries and credential decisions
    http::HostBackoff* backoff = nullptr;  // the engine's, shared by its pulls; may be null
    bool plain_http = false;               // EngineOptions::plain_http_registries: never HTTPS first
};

struct FetchedManifest {
    std::string body;
    std::string media_type;
    Digest digest;  // verified digest of body
};

// "Basic base64(user:secret)".
std::string basic_authorization(std::string_view user, std::string_view secret);

class RegistrySession {
  public:
    RegistrySession(http::Client& client, TokenCache& tokens, SessionOptions options);

    const std::string& registry() const { return options_.registry; }
    // The engine's one retry policy, with this pull's number of retries.
    http::RetryPolicy retry_policy() const {
        http::RetryPolicy p;
        p.retries = options_.retries;
        return p;
    }

    // `reference` is a tag or a digest. A digest is verified against the body; for a tag, the
    // Docker-Content-Digest header is verified when present.
    FetchedManifest get_manifest(const std::string& repository, const std::string& reference);
    // Streams a blob into sink, from byte `offset` on when it is not 0 (a resumed download).
    // `on_response` sees the answer before the body: 206 means the range was honoured, 200 that
    // the whole blob follows. No retries here: the caller resumes or restarts the blob.
    // `stop` replaces the session's for this download (it also stops when a sibling download failed).
    void get_blob(const std::string& repository, const Descriptor& blob, std::uint64_t offset,
                  const std::function<void(const http::Response&)>& on_response, const http::BodySink& sink,
                  const std::stop_token& stop);
    // The OCI 1.1 referrers index of a manifest (GET /v2/REPO/referrers/DIGEST), or nothing when
    // the registry does not serve that API (it answers 404, 400, 405 or 501). At most max_body bytes.
    std::optional<std::string> get_referrers(const std::string& repository, const Digest& digest,
                                             std::size_t max_body);

    // A small blob (an image config) read whole, at most `max_bytes`, verified against its digest.
    std::string get_small_blob(const std::string& repository, const Descriptor& blob, std::size_t max_bytes);

    // Any request with this session's authentication, for what pulls do not need (uploads, tag
    // lists, deletes). `scope` is the token scope asked for, space-separated, e.g.
    // "repository:team/app:pull,push repository:team/base:pull"; empty: "repository:REPO:pull".
    // A request URL that is only a path is sent to the registry; an absolute one (an upload
    // Location) as it is. Answers for which `accept(status)` is true are returned; any other that is
    // not 2xx is thrown as a typed Failure.
    http::Response request(http::Request request, const std::string& repository, const std::string& object,
                           const std::string& scope, int retries, std::size_t max_body,
                           const std::function<bool(int)>& accept = {});
    // Checks the session's credentials as `docker login` does: a token without a scope from a
    // Bearer realm, or GET /v2/ with Basic. Throws the registry's Failure (Unauthorized...) when
    // they are refused; returns how they were checked.
    std::string check_login();
    // The scheme and host the registry answers on ("https://host:port"), after a ping.
    std::string base_url();
    int retries() const { return options_.retries; }

  private:
    struct Auth {
        std::vector<Challenge> challenges;
        bool pinged = false;
    };
    void ping();
    bool repository_missing(const std::string& repository);
    http::Response send(http::Request request, const std::string& repository, const std::string& object,
                        const http::BodySink* sink, int retries, std::size_t max_body);
    http::Response send_scoped(http::Request request, const std::string& repository,
                               const std::string& object, const std::string& scope,
                               const http::BodySink* sink, int retries, std::size_t max_body,
                               const std::function<bool(int)>& accept);
    std::optional<std::string> authorization(const std::string& repository, const std::string& scope,
                                             bool force_new_token);
    std::string fetch_token(const Challenge& challenge, const std::string& repository,
                            const std::string& scope, const std::string& cache_key);
    const std::optional<Credential>& credential_for(const std::string& repository);
    ErrorContext error_context(const std::string& repository, const std::string& object,
                               const std::optional<Credential>& cred) const;
    const http::TlsSettings& tls() const { return options_.tls; }
    // Runs `attempt` until it gives an answer worth returning, under the engine's retry policy.
    // `retry_transport`: also retry a transient connection failure (not for streamed blobs, whose
    // caller resumes them instead). `req`, when given, names the request in the log's retry lines.
    http::Response with_retries(const std::string& host, int retries, const std::stop_token& stop,
                                bool retry_transport, const std::function<http::Response()>& attempt,
                                const http::Request* req = nullptr);

    http::Client& client_;
    TokenCache& tokens_;
    SessionOptions options_;
    std::string base_url_;  // scheme://endpoint, decided by ping
    std::mutex mutex_;
    Auth auth_;
    std::map<std::string, std::optional<Credential>> credentials_;  // per repository, for this pull
};

}  // namespace boxtool::registry
