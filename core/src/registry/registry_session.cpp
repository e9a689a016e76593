#include "registry/registry_session.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <thread>

#include "boxtool/digest.hpp"
#include "boxtool/reference.hpp"
#include "grammar.hpp"
#include "http/request_log.hpp"
#include "http/transport_failure.hpp"
#include "registry/registry_errors.hpp"
#include "registry/token_response.hpp"
#include "util/base64.hpp"
#include "util/stopping.hpp"

namespace boxtool::registry {
namespace {

const Challenge* find_challenge(const std::vector<Challenge>& all, std::string_view scheme) {
    for (const auto& c : all)
        if (c.scheme == scheme) return &c;
    return nullptr;
}

bool is_digest_reference(const std::string& ref) {
    return ref.find(':') != std::string::npos;
}

}  // namespace

std::string basic_authorization(std::string_view user, std::string_view secret) {
    return "Basic " + util::base64_encode(std::string(user) + ":" + std::string(secret));
}

RegistrySession::RegistrySession(http::Client& client, TokenCache& tokens, SessionOptions options)
    : client_(client), tokens_(tokens), options_(std::move(options)) {}

http::Response RegistrySession::with_retries(const std::string& host, int retries,
                                             const std::stop_token& stop, bool retry_transport,
                                             const std::function<http::Response()>& attempt,
                                             const http::Request* req) {
    const http::RetryPolicy policy = retry_policy();
    auto pause = [&](std::chrono::milliseconds wait) {
        if (!util::sleep_unless_stopped(wait, stop)) util::throw_if_stopped(stop);
    };
    // Each retry goes to the request log (--debug) with why and how long it waits.
    auto note = [&](int i, const std::string& why, std::chrono::milliseconds wait) {
        if (!options_.log) return;
        LogRecord r{.kind = LogRecord::Kind::Retry};
        if (req) {
            r.method = req->method;
            r.url = http::redact_url(req->url);
            r.registry = http::host_of(req->url);
        }
        r.attempt = i + 1;
        r.message = why + "; attempt " + std::to_string(i + 2) + " of " + std::to_string(retries + 1) +
                    " in " + std::to_string(wait.count()) + "ms";
        http::emit(options_.log, std::move(r));
    };
    for (int i = 0;; ++i) {
        // A registry that told one request to slow down has told them all.
        if (options_.backoff && !options_.backoff->wait(host, stop)) util::throw_if_stopped(stop);
        try {
            http::Response r = attempt();
            if (http::RetryPolicy::transient_status(r.status) && i < retries) {
                auto wait = policy.delay(i, &r);
                if (options_.backoff && (r.status == 429 || r.status == 503))
                    options_.backoff->defer(host, std::chrono::steady_clock::now() + wait);
                note(i, "status " + std::to_string(r.status), wait);
                pause(wait);
                continue;
            }
            return r;
        } catch (const http::TransportFailure& f) {
            if (!retry_transport || !f.transient() || i >= retries) throw;
            auto wait = policy.delay(i, nullptr);
            note(i, f.error().message, wait);
            pause(wait);
        }
    }
}

void RegistrySession::ping() {
    std::lock_guard lock(mutex_);
    if (auth_.pinged) return;
    std::string endpoint = registry_endpoint(options_.registry);
    // Docker's order for insecure registries: HTTPS without verification first, then plain HTTP.
    std::vector<std::string> schemes = {"https"};
    if (options_.insecure) schemes.push_back("http");
    if (options_.plain_http) schemes = {"http"};  // the user says it serves HTTP: no TLS attempt
    for (std::size_t i = 0; i < schemes.size(); ++i) {
        std::string base = schemes[i] + "://" + endpoint;
        try {
            http::Request req;
            req.url = base + "/v2/";
            req.stop = options_.stop;
            auto resp = with_retries(
                options_.registry, options_.retries, options_.stop, true,
                [&] { return client_.fetch(req, tls(), 64 * 1024); }, &req);
            if (resp.status == 401) {
                auth_.challenges = parse_challenges(resp.header_values("WWW-Authenticate"));
            } else if (resp.status != 200) {
                throw registry_error(resp, ErrorContext{options_.registry, {}, "registry API"});
            }
            base_url_ = base;
            auth_.pinged = true;
            return;
        } catch (const http::TransportFailure& f) {
            bool fallback = i + 1 < schemes.size() &&
                            (f.error().kind == ErrorKind::Tls || f.error().kind == ErrorKind::Network);
            if (!fallback) throw;
        }
    }
}

ErrorContext RegistrySession::error_context(const std::string& repository, const std::string& object,
                                            const std::optional<Credential>& cred) const {
    ErrorContext ctx{options_.registry, repository, object, cred.has_value(), cred ? cred->source : ""};
    if (options_.credentials) ctx.credential_sources = options_.credentials->describe_sources();
    return ctx;
}

const std::optional<Credential>& RegistrySession::credential_for(const std::string& repository) {
    auto it = credentials_.find(repository);
    if (it != credentials_.end()) return it->second;
    std::optional<Credential> found;
    if (options_.credentials) {
        // Asked on behalf of this session: a provider's failure stops the pull, named as its own.
        auto answer = options_.credentials->lookup(options_.registry, repository);
        if (!answer) throw Failure(std::move(answer).error());
        found = std::move(*answer);
    }
    if (options_.log) {
        LogRecord r{.kind = LogRecord::Kind::Credential, .registry = options_.registry};
        r.message = found ? "credentials for " + repository + " from " + found->source
                          : "no credentials for " + repository + " (anonymous)";
        http::emit(options_.log, std::move(r));
    }
    return credentials_.emplace(repository, std::move(found)).first->second;
}

std::optional<std::string> RegistrySession::authorization(const std::string& repository,
                                                          const std::string& scope, bool force_new_token) {
    std::lock_guard lock(mutex_);
    const auto& cred = credential_for(repository);
    if (const Challenge* bearer = find_challenge(auth_.challenges, "bearer")) {
        if (cred && !cred->registry_token.empty())
            return "Bearer " + std::string(cred->registry_token.reveal());
        std::string key = options_.registry + "|" + scope + "|" + (cred ? cred->username : "");
        if (!force_new_token) {
            if (auto token = tokens_.get(key)) return "Bearer " + std::string(token->reveal());
        }
        tokens_.invalidate(key);
        return "Bearer " + fetch_token(*bearer, repository, scope, key);
    }
    if (find_challenge(auth_.challenges, "basic") && cred && !cred->username.empty())
        return basic_authorization(cred->username, cred->password.reveal());
    return std::nullopt;
}

http::Response RegistrySession::send(http::Request request, const std::string& repository,
                                     const std::string& object, const http::BodySink* sink, int retries,
                                     std::size_t max_body) {
    return send_scoped(std::move(request), repository, object, "", sink, retries, max_body, {});
}

http::Response RegistrySession::request(http::Request request, const std::string& repository,
                                        const std::string& object, const std::string& scope, int retries,
                                        std::size_t max_body, const std::function<bool(int)>& accept) {
    return send_scoped(std::move(request), repository, object, scope, nullptr, retries, max_body, accept);
}

std::string RegistrySession::check_login() {
    ping();
    std::lock_guard lock(mutex_);
    const auto& cred = credential_for("");
    if (!cred) throw Failure(ErrorKind::InvalidArgument, "no credentials to check for " + options_.registry);
    if (const Challenge* bearer = find_challenge(auth_.challenges, "bearer")) {
        // No scope: the token service checks who is asking, as for `docker login`.
        std::string key = options_.registry + "||login|" + cred->username;
        tokens_.invalidate(key);
        fetch_token(*bearer, "", "", key);
        tokens_.invalidate(key);
        return "a token from " + Poco::URI(bearer->param("realm")).getHost();
    }
    if (find_challenge(auth_.challenges, "basic")) {
        http::Request req;
        req.url = base_url_ + "/v2/";
        req.stop = options_.stop;
        req.headers.emplace_back("Authorization",
                                 basic_authorization(cred->username, cred->password.reveal()));
        auto resp = with_retries(
            options_.registry, options_.retries, options_.stop, true,
            [&] { return client_.fetch(req, tls(), 64 * 1024); }, &req);
        if (resp.status != 200) throw registry_error(resp, error_context("", "registry API", cred));
        return "Basic authentication";
    }
    return "nothing: the registry does not ask for credentials";
}

std::string RegistrySession::base_url() {
    ping();
    return base_url_;
}

http::Response RegistrySession::send_scoped(http::Request request, const std::string& repository,
                                            const std::string& object, const std::string& scope_wanted,
                                            const http::BodySink* sink, int retries, std::size_t max_body,
                                            const std::function<bool(int)>& accept) {
    ping();
    const std::string scope = scope_wanted.empty() ? "repository:" + repository + ":pull" : scope_wanted;
    const bool absolute = request.url.rfind("http://", 0) == 0 || request.url.rfind("https://", 0) == 0;
    std::string path = request.url;
    for (int attempt = 0;; ++attempt) {
        http::Request req = request;
        req.url = absolute ? path : base_url_ + path;
        if (!req.stop.stop_possible()) req.stop = options_.stop;
        if (auto authz = authorization(repository, scope, attempt > 0))
            req.headers.emplace_back("Authorization", *authz);
        // A streamed body (a blob) is resumed by its caller after a broken connection, not
        // restarted here; answers without a body (5xx, 429) are retried here alike.
        auto resp = with_retries(
            options_.registry, retries, req.stop, sink == nullptr,
            [&] { return sink ? client_.stream(req, tls(), *sink) : client_.fetch(req, tls(), max_body); },
            &req);
        if (resp.status == 401 && attempt == 0) {
            auto challenges = parse_challenges(resp.header_values("WWW-Authenticate"));
            bool bearer = find_challenge(challenges, "bearer") != nullptr;
            {
                std::lock_guard lock(mutex_);
                if (!challenges.empty()) auth_.challenges = challenges;
            }
            // An expired token, or one without this scope: fetch a fresh one, once. A streamed
            // body has been consumed, so the caller starts over (with the fresh token cached).
            if (bearer && !req.body_reader) continue;
        }
        if (accept && accept(resp.status)) return resp;
        if (resp.status < 200 || resp.status >= 300) {
            std::lock_guard lock(mutex_);
            const auto& cred = credential_for(repository);
            throw registry_error(resp, error_context(repository, object, cred));
        }
        return resp;
    }
}

FetchedManifest RegistrySession::get_manifest(const std::string& repository, const std::string& reference) {
    http::Request req;
    req.url = "/v2/" + repository + "/manifests/" + reference;
    req.headers.emplace_back("Accept", std::string(media_type::kOciIndex) + ", " +
                                           std::string(media_type::kOciManifest) + ", " +
                                           std::string(media_type::kDockerManifestList) + ", " +
                                           std::string(media_type::kDockerManifest));
    bool by_digest = is_digest_reference(reference);
    std::string object = (by_digest ? "manifest " : "tag ") + reference;
    http::Response resp;
    try {
        resp = send(req, repository, object, nullptr, options_.retries, kMaxManifestBytes);
    } catch (const http::BodyTooLarge&) {
        throw Failure(Error{ErrorKind::InvalidManifest,
                            "invalid manifest: " + object + " of " + repository + " is larger than 4 MiB",
                            options_.registry, repository,
                            "boxtool refuses oversized manifests; check the reference"});
    } catch (const Failure& f) {
        if (f.error().kind != ErrorKind::ManifestUnknown) throw;
        // registry:2 answers MANIFEST_UNKNOWN for a missing repository too; the tag list tells
        // "no such repository" from "no such tag", which points the user at the right fix.
        if (repository_missing(repository)) {
            Error e = f.error();
            e.kind = ErrorKind::NameUnknown;
            e.message = "name unknown: repository " + repository + " not found on " + options_.registry;
            throw Failure(e);
        }
        throw;
    }
    FetchedManifest out;
    out.body = std::move(resp.body);
    out.media_type = detect_media_type(out.body, resp.header("Content-Type"));
    // Schema 1 digests cover the manifest without its signatures, so the digest check below would
    // blame the registry for what is really an unsupported format: say so first.
    if (out.media_type.rfind("application/vnd.docker.distribution.manifest.v1", 0) == 0)
        throw Failure(Error{ErrorKind::InvalidManifest,
                            "unsupported manifest type \"" + out.media_type + "\" (Docker schema 1) for " +
                                object + " of " + repository,
                            options_.registry, repository,
                            "boxtool pulls OCI and Docker schema 2 images; schema 1 images must be converted "
                            "(push them again with a current client)"});
    std::string expected = by_digest ? reference : resp.header("Docker-Content-Digest");
    auto parsed = parse_digest(expected);
    Digest actual = digest_of(out.body, parsed ? parsed->algorithm : "sha256");
    if (parsed && actual != *parsed)
        throw Failure(
            Error{ErrorKind::DigestMismatch,
                  "digest mismatch: " + object + " of " + repository + " should be " + expected +
                      " but the registry served content with digest " + actual.str(),
                  options_.registry, repository,
                  "the registry or something between you and it altered the manifest; do not trust it"});
    out.digest = actual;
    return out;
}

bool RegistrySession::repository_missing(const std::string& repository) {
    http::Request req;
    req.url = "/v2/" + repository + "/tags/list?n=1";
    try {
        send(req, repository, "tag list", nullptr, 0, 64 * 1024);
        return false;
    } catch (const Failure& f) {
        return f.error().kind == ErrorKind::NameUnknown;
    }
}

void RegistrySession::get_blob(const std::string& repository, const Descriptor& blob, std::uint64_t offset,
                               const std::function<void(const http::Response&)>& on_response,
                               const http::BodySink& sink, const std::stop_token& stop) {
    http::Request req;
    req.url = "/v2/" + repository + "/blobs/" + blob.digest.str();
    if (offset > 0) req.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-");
    req.on_response = on_response;
    req.stop = stop;
    send(req, repository, "blob " + blob.digest.str(), &sink, options_.retries, 64 * 1024);
}

std::string RegistrySession::get_small_blob(const std::string& repository, const Descriptor& blob,
                                            std::size_t max_bytes) {
    if (blob.size > max_bytes)
        throw Failure(Error{ErrorKind::InvalidManifest,
                            "blob " + blob.digest.str() + " is " + std::to_string(blob.size) +
                                " bytes, more than " + std::to_string(max_bytes) +
                                " allowed for an image config",
                            options_.registry, repository, "the image's config is implausibly large"});
    http::Request req;
    req.url = "/v2/" + repository + "/blobs/" + blob.digest.str();
    req.stop = options_.stop;
    std::string body;
    http::BodySink sink = [&](const char* data, std::size_t n) {
        if (body.size() + n > max_bytes)
            throw Failure(Error{ErrorKind::SizeMismatch,
                                "blob " + blob.digest.str() + " is larger than declared", options_.registry,
                                repository, "the registry serves a damaged image"});
        body.append(data, n);
    };
    send(req, repository, "blob " + blob.digest.str(), &sink, options_.retries, 64 * 1024);
    if (body.size() != blob.size || digest_of(body, blob.digest.algorithm).str() != blob.digest.str())
        throw Failure(Error{ErrorKind::DigestMismatch,
                            "blob " + blob.digest.str() + " does not match its digest or size (" +
                                std::to_string(body.size()) + " bytes received, " +
                                std::to_string(blob.size) + " expected)",
                            options_.registry, repository, "the registry serves a damaged image"});
    return body;
}

std::optional<std::string> RegistrySession::get_referrers(const std::string& repository, const Digest& digest,
                                                          std::size_t max_body) {
    http::Request req;
    req.url = "/v2/" + repository + "/referrers/" + digest.str();
    req.headers.emplace_back("Accept", std::string(media_type::kOciIndex));
    std::string object = "referrers of " + digest.str();
    try {
        return send(req, repository, object, nullptr, options_.retries, max_body).body;
    } catch (const http::BodyTooLarge&) {
        throw Failure(Error{ErrorKind::InvalidManifest,
                            "the referrers of " + digest.str() + " in " + repository + " are larger than " +
                                std::to_string(max_body / 1024 / 1024) + " MiB",
                            options_.registry, repository, "the registry is broken or hostile"});
    } catch (const Failure& f) {
        // A registry without the API answers 404 (mapped to "manifest unknown" or "name unknown") or
        // refuses the route (an unexpected status): either way, there is nothing to read here.
        ErrorKind k = f.error().kind;
        if (k == ErrorKind::ManifestUnknown || k == ErrorKind::NameUnknown || k == ErrorKind::Protocol)
            return std::nullopt;
        throw;
    }
}

}  // namespace boxtool::registry
