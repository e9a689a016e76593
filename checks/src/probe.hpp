// The HTTP side of the checks: raw requests that are recorded (for the checks that look at every
// answer, like error bodies and 429s), and API requests with the registry's authentication, where
// each token answer is kept for the auth checks. Secrets are collected so evidence can be redacted.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boxtool/checks/runner.hpp"
#include "http/http_client.hpp"
#include "registry/challenge.hpp"

namespace boxtool::checks {

struct Exchange {
    std::string method;
    std::string url;
    int status = 0;
    std::string content_type;
    bool retry_after = false;
    std::string body;  // the first 8 KiB, for error answers only
    bool token_service = false;
};

struct TokenAnswer {
    std::string how;  // "GET anonymous", "GET Basic", "POST password", "POST refresh_token"
    int status = 0;
    std::string body;
    std::string token;
    std::string refresh_token;
    std::optional<long long> expires_in;
    std::string issued_at;
    bool has_issued_at = false;
};

class Probe {
  public:
    explicit Probe(const Target& target);

    // Finds the scheme (HTTPS, or plain HTTP for an insecure registry) and reads the challenges.
    // Throws Failure when nothing answers.
    http::Response ping();

    // Unauthenticated; `url` is a path on the registry or an absolute URL. Recorded; a 429 is
    // retried twice after its Retry-After (at most 2 s).
    http::Response raw(http::Request request, std::size_t max_body = 16 * 1024 * 1024);
    // With the authentication the registry asks for, for `scope` (token, or Basic credentials).
    http::Response api(http::Request request, const std::string& scope,
                       std::size_t max_body = 16 * 1024 * 1024);
    // The token for a scope (cached); nullopt when there is no Bearer challenge or none is issued.
    std::optional<std::string> token_for(const std::string& scope);

    // Token requests for the auth checks; each answer is kept in token_answers().
    TokenAnswer token_get(const std::string& scope, bool with_credentials);
    TokenAnswer token_get_as(const std::string& scope, const std::string& user, const std::string& password);
    TokenAnswer token_post_password(const std::string& scope, bool offline);
    TokenAnswer token_post_refresh(const std::string& scope, const std::string& refresh_token);

    const Target& target() const { return target_; }
    const std::string& base_url() const { return base_url_; }
    bool plain_http() const { return base_url_.rfind("http://", 0) == 0; }
    const http::TlsSettings& tls() const { return tls_; }
    // The proxies the API requests go through; the TLS checks tunnel through them too.
    const http::ProxyRules& proxy() const { return proxy_; }
    const std::vector<std::string>& challenge_headers() const { return challenge_headers_; }
    const std::vector<registry::Challenge>& challenges() const { return challenges_; }
    const registry::Challenge* bearer() const;
    const registry::Challenge* basic() const;
    int ping_status() const { return ping_status_; }
    // Credentials may be sent: there are some, and they do not cross plain HTTP to a registry
    // or realm the user did not name insecure.
    bool can_send_credentials(const std::string& url) const;
    bool has_password() const;
    const std::vector<Exchange>& exchanges() const { return exchanges_; }
    const std::vector<TokenAnswer>& token_answers() const { return token_answers_; }

    // Replaces every secret seen (passwords, tokens) and Authorization values with <redacted>.
    std::string redact(std::string text) const;
    http::Client& client() { return client_; }
    const http::TlsSettings& tls_for(const std::string& url) const;

  private:
    http::Response send(http::Request request, std::size_t max_body, bool token_service);
    std::string realm_url(const std::string& scope) const;
    TokenAnswer finish_token(TokenAnswer answer);
    void remember_secret(const std::string& secret);

    const Target& target_;
    http::ProxyRules proxy_;
    http::Client client_;
    http::TlsSettings tls_;
    http::TlsSettings realm_tls_;
    std::string base_url_;
    int ping_status_ = 0;
    std::vector<std::string> challenge_headers_;
    std::vector<registry::Challenge> challenges_;
    std::map<std::string, std::optional<std::string>> tokens_;
    std::vector<Exchange> exchanges_;
    std::vector<TokenAnswer> token_answers_;
    std::vector<std::string> secrets_;
};

}  // namespace boxtool::checks
