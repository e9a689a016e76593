#include "probe.hpp"
#include "grammar.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <chrono>
#include <string_view>
#include <thread>

#include "boxtool/reference.hpp"
#include "http/engine_client_options.hpp"
#include "http/registry_tls.hpp"
#include "http/transport_failure.hpp"
#include "util/base64.hpp"

namespace boxtool::checks {
namespace {

std::string basic_header(const std::string& user, const std::string& password) {
    return "Basic " + util::base64_encode(user + ":" + password);
}

std::string query_for(const registry::Challenge& c, const std::string& scope) {
    std::string q;
    std::string service = c.param("service");
    if (!service.empty()) q += "service=" + http::url_encode(service);
    for (std::size_t start = 0; start < scope.size();) {
        std::size_t end = scope.find(' ', start);
        if (end == std::string::npos) end = scope.size();
        if (end > start)
            q += (q.empty() ? "" : "&") + std::string("scope=") +
                 http::url_encode(scope.substr(start, end - start));
        start = end + 1;
    }
    return q;
}

}  // namespace

Probe::Probe(const Target& target)
    : target_(target),
      proxy_(http::proxy_rules_for(target.proxy)),
      client_(http::ClientOptions{
          target.connect_timeout, target.timeout, "boxtool-conformance", 5, {}, proxy_, target.log}),
      tls_(http::tls_settings_for(target.registry, target.tls, target.insecure)),
      realm_tls_(tls_) {}

const http::TlsSettings& Probe::tls_for(const std::string&) const {
    return tls_;
}

void Probe::remember_secret(const std::string& secret) {
    if (secret.size() >= 4) secrets_.push_back(secret);
}

std::string Probe::redact(std::string text) const {
    std::vector<std::string> all = secrets_;
    if (target_.credential) {
        all.push_back(std::string(target_.credential->password.reveal()));
        all.push_back(std::string(target_.credential->identity_token.reveal()));
        all.push_back(std::string(target_.credential->registry_token.reveal()));
    }
    for (const auto& s : all) {
        if (s.size() < 4) continue;
        for (std::size_t pos; (pos = text.find(s)) != std::string::npos;)
            text.replace(pos, s.size(), "<redacted>");
    }
    // Authorization values that were not among the known secrets (a credential helper's token,
    // say): a scheme followed by a long credential-looking word.
    for (const char* scheme : {"Bearer ", "Basic "}) {
        std::size_t pos = 0;
        while ((pos = text.find(scheme, pos)) != std::string::npos) {
            std::size_t start = pos + std::string(scheme).size();
            std::size_t end = start;
            while (end < text.size() &&
                   (std::isalnum(static_cast<unsigned char>(text[end])) ||
                    std::string_view("-._~+/=").find(text[end]) != std::string_view::npos))
                ++end;
            if (end - start >= 16) text.replace(start, end - start, "<redacted>");
            pos = start;
        }
    }
    return text;
}

bool Probe::has_password() const {
    return target_.credential &&
           (!target_.credential->password.empty() || !target_.credential->identity_token.empty());
}

bool Probe::can_send_credentials(const std::string& url) const {
    if (!target_.credential) return false;
    if (url.rfind("http://", 0) == 0 && !target_.insecure) return false;
    return true;
}

const registry::Challenge* Probe::bearer() const {
    for (const auto& c : challenges_)
        if (c.scheme == "bearer") return &c;
    return nullptr;
}

const registry::Challenge* Probe::basic() const {
    for (const auto& c : challenges_)
        if (c.scheme == "basic") return &c;
    return nullptr;
}

http::Response Probe::send(http::Request request, std::size_t max_body, bool token_service) {
    if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0)
        request.url = base_url_ + request.url;
    for (int attempt = 0;; ++attempt) {
        http::Response resp = client_.fetch(request, token_service ? realm_tls_ : tls_, max_body);
        Exchange e{request.method,
                   request.url,
                   resp.status,
                   resp.header("Content-Type"),
                   !resp.header("Retry-After").empty(),
                   {},
                   token_service};
        if (resp.status >= 400) e.body = resp.body.substr(0, 8192);
        exchanges_.push_back(e);
        if (resp.status != 429 || attempt >= 2) return resp;
        // Rate limited: wait as told (within reason) and try again, so one 429 does not fail a check.
        long long wait_ms = 500;
        try {
            if (!resp.header("Retry-After").empty()) wait_ms = std::stoll(resp.header("Retry-After")) * 1000;
        } catch (...) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp(wait_ms, 100LL, 2000LL)));
    }
}

http::Response Probe::ping() {
    std::vector<std::string> schemes;
    if (target_.force_plain_http) {
        schemes = {"http"};
    } else {
        schemes = {"https"};
        if (target_.insecure) schemes.push_back("http");
    }
    std::string endpoint = registry_endpoint(target_.registry);
    for (std::size_t i = 0; i < schemes.size(); ++i) {
        base_url_ = schemes[i] + "://" + endpoint;
        try {
            http::Request req;
            req.url = "/v2/";
            auto resp = raw(req, 64 * 1024);
            ping_status_ = resp.status;
            challenge_headers_ = resp.header_values("WWW-Authenticate");
            challenges_ = registry::parse_challenges(challenge_headers_);
            if (const auto* b = bearer()) {
                if (b->param("realm").rfind("http://", 0) == 0) realm_tls_.verify = false;
            }
            return resp;
        } catch (const http::TransportFailure& f) {
            bool fallback = i + 1 < schemes.size() &&
                            (f.error().kind == ErrorKind::Tls || f.error().kind == ErrorKind::Network);
            if (!fallback) throw;
        }
    }
    throw Failure(ErrorKind::Network, "no scheme reached " + target_.registry);
}

http::Response Probe::raw(http::Request request, std::size_t max_body) {
    return send(std::move(request), max_body, false);
}

std::string Probe::realm_url(const std::string& scope) const {
    const auto* b = bearer();
    std::string realm = b ? b->param("realm") : "";
    std::string q = b ? query_for(*b, scope) : "";
    return realm + (q.empty() ? "" : (realm.find('?') == std::string::npos ? "?" : "&") + q);
}

TokenAnswer Probe::finish_token(TokenAnswer answer) {
    try {
        auto doc = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Object::Ptr>();
        if (doc) {
            answer.token = doc->optValue<std::string>("token", "");
            if (answer.token.empty()) answer.token = doc->optValue<std::string>("access_token", "");
            answer.refresh_token = doc->optValue<std::string>("refresh_token", "");
            if (doc->has("expires_in")) {
                try {
                    answer.expires_in = doc->getValue<long long>("expires_in");
                } catch (...) {
                    answer.expires_in = -1;  // present but not a number
                }
            }
            answer.has_issued_at = doc->has("issued_at");
            answer.issued_at = doc->optValue<std::string>("issued_at", "");
        }
    } catch (...) {
    }
    remember_secret(answer.token);
    remember_secret(answer.refresh_token);
    token_answers_.push_back(answer);
    return answer;
}

TokenAnswer Probe::token_get(const std::string& scope, bool with_credentials) {
    http::Request req;
    req.url = realm_url(scope);
    TokenAnswer a;
    a.how = "GET anonymous";
    if (with_credentials && target_.credential && can_send_credentials(req.url)) {
        const auto& c = *target_.credential;
        if (!c.identity_token.empty()) {
            req.headers.emplace_back("Authorization",
                                     basic_header("<token>", std::string(c.identity_token.reveal())));
        } else {
            req.headers.emplace_back("Authorization",
                                     basic_header(c.username, std::string(c.password.reveal())));
        }
        a.how = "GET Basic";
    }
    auto resp = send(req, 1024 * 1024, true);
    a.status = resp.status;
    a.body = resp.body;
    return finish_token(a);
}

TokenAnswer Probe::token_get_as(const std::string& scope, const std::string& user,
                                const std::string& password) {
    http::Request req;
    req.url = realm_url(scope);
    req.headers.emplace_back("Authorization", basic_header(user, password));
    remember_secret(password);
    auto resp = send(req, 1024 * 1024, true);
    TokenAnswer a{"GET Basic (wrong password)", resp.status, resp.body};
    return finish_token(a);
}

TokenAnswer Probe::token_post_password(const std::string& scope, bool offline) {
    const auto* b = bearer();
    http::Request req;
    req.method = "POST";
    req.url = b ? b->param("realm") : "";
    req.content_type = "application/x-www-form-urlencoded";
    const auto& c = *target_.credential;
    req.body = "grant_type=password&client_id=boxtool&username=" + http::url_encode(c.username) +
               "&password=" + http::url_encode(std::string(c.password.reveal())) +
               "&scope=" + http::url_encode(scope) +
               "&service=" + http::url_encode(b ? b->param("service") : "");
    if (offline) req.body += "&access_type=offline";
    auto resp = send(req, 1024 * 1024, true);
    TokenAnswer a{offline ? "POST password (offline)" : "POST password", resp.status, resp.body};
    return finish_token(a);
}

TokenAnswer Probe::token_post_refresh(const std::string& scope, const std::string& refresh_token) {
    const auto* b = bearer();
    http::Request req;
    req.method = "POST";
    req.url = b ? b->param("realm") : "";
    req.content_type = "application/x-www-form-urlencoded";
    req.body = "grant_type=refresh_token&client_id=boxtool&refresh_token=" + http::url_encode(refresh_token) +
               "&scope=" + http::url_encode(scope) +
               "&service=" + http::url_encode(b ? b->param("service") : "");
    auto resp = send(req, 1024 * 1024, true);
    TokenAnswer a{"POST refresh_token", resp.status, resp.body};
    return finish_token(a);
}

std::optional<std::string> Probe::token_for(const std::string& scope) {
    auto it = tokens_.find(scope);
    if (it != tokens_.end()) return it->second;
    std::optional<std::string> token;
    if (bearer()) {
        const auto& c = target_.credential;
        if (c && !c->registry_token.empty()) {
            token = std::string(c->registry_token.reveal());
        } else if (c && !c->identity_token.empty() && can_send_credentials(bearer()->param("realm"))) {
            auto a = token_post_refresh(scope, std::string(c->identity_token.reveal()));
            if (a.status != 200 || a.token.empty()) a = token_get(scope, true);
            if (a.status == 200 && !a.token.empty()) token = a.token;
        } else {
            auto a = token_get(scope, true);
            if (a.status == 200 && !a.token.empty()) token = a.token;
        }
    }
    tokens_[scope] = token;
    return token;
}

http::Response Probe::api(http::Request request, const std::string& scope, std::size_t max_body) {
    if (bearer()) {
        if (auto t = token_for(scope)) request.headers.emplace_back("Authorization", "Bearer " + *t);
    } else if (basic() && target_.credential && can_send_credentials(base_url_)) {
        request.headers.emplace_back(
            "Authorization",
            basic_header(target_.credential->username, std::string(target_.credential->password.reveal())));
    }
    return send(std::move(request), max_body, false);
}

}  // namespace boxtool::checks
