// The token client: a Bearer challenge's realm asked for a token for one repository, with an
// OAuth2 POST grant (password or refresh token) and the GET the distribution spec describes as
// fallback. What it answers is checked before use: a token must be an RFC 6750 b64token, and an
// answer over 1 MiB is the token service's fault, said so.
#include <Poco/URI.h>

#include "http/transport_failure.hpp"
#include "registry/registry_errors.hpp"
#include "registry/registry_session.hpp"
#include "registry/token_response.hpp"

namespace boxtool::registry {
namespace {

constexpr std::size_t kMaxTokenResponse = 1024 * 1024;

}  // namespace

std::string RegistrySession::fetch_token(const Challenge& challenge, const std::string& repository,
                                         const std::string& scope, const std::string& cache_key) {
    const auto& cred = credentials_.at(repository);
    std::string realm = challenge.param("realm");
    if (realm.empty())
        throw Failure(Error{ErrorKind::Protocol,
                            "the Bearer challenge from " + options_.registry + " names no realm",
                            options_.registry,
                            {},
                            "the registry's token configuration is broken"});
    Poco::URI realm_uri(realm);
    if (realm_uri.getScheme() != "https" && realm_uri.getScheme() != "http")
        throw Failure(
            Error{ErrorKind::Protocol, "unsupported token realm " + realm, options_.registry, {}, ""});
    bool has_secret = cred && (!cred->password.empty() || !cred->identity_token.empty());
    if (realm_uri.getScheme() == "http" && has_secret && !options_.insecure)
        throw Failure(Error{ErrorKind::Tls,
                            "refusing to send credentials to the plain-HTTP token realm " + realm,
                            options_.registry,
                            {},
                            "the registry's token service must use HTTPS, or list the registry as insecure"});
    std::string service = challenge.param("service");
    // Several scopes (an upload that mounts from another repository) are several scope parameters
    // in a GET, as docker sends them; an OAuth2 POST takes them space-separated in one.
    std::string query;
    for (std::size_t start = 0; start < scope.size();) {
        std::size_t end = scope.find(' ', start);
        if (end == std::string::npos) end = scope.size();
        if (end > start)
            query +=
                (query.empty() ? "scope=" : "&scope=") + http::url_encode(scope.substr(start, end - start));
        start = end + 1;
    }
    if (!service.empty()) query += (query.empty() ? "service=" : "&service=") + http::url_encode(service);
    std::string post_scope = "scope=" + http::url_encode(scope);
    if (!service.empty()) post_scope += "&service=" + http::url_encode(service);

    auto token_get = [&](const std::string& user, std::string_view secret) {
        http::Request get;
        get.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + query;
        get.stop = options_.stop;
        if (!user.empty()) get.headers.emplace_back("Authorization", basic_authorization(user, secret));
        return get;
    };
    // Which request to make first (OAuth2 POST or GET), and the GET to fall back to:
    // - an identity token is an OAuth2 refresh token: POST grant_type=refresh_token, as docker does;
    // - a username and password: POST grant_type=password first, as containerd does, unless this
    //   realm already said it has no OAuth2 endpoint; GET with Basic credentials otherwise;
    // - nothing: an anonymous GET.
    bool refresh = cred && !cred->identity_token.empty();
    bool password = !refresh && cred && !cred->username.empty() && !cred->password.empty();
    bool oauth = refresh || (password && !tokens_.oauth_unsupported(realm));
    http::Request req;
    req.stop = options_.stop;
    if (oauth) {
        req.method = "POST";
        req.url = realm;
        req.content_type = "application/x-www-form-urlencoded";
        req.body =
            refresh ? "grant_type=refresh_token&client_id=boxtool&refresh_token=" +
                          http::url_encode(cred->identity_token.reveal()) + "&" + post_scope
                    : "grant_type=password&client_id=boxtool&username=" + http::url_encode(cred->username) +
                          "&password=" + http::url_encode(cred->password.reveal()) + "&" + post_scope;
    } else {
        req = cred ? token_get(cred->username, cred->password.reveal()) : token_get("", "");
    }
    const http::TlsSettings& realm_tls = tls();
    // An answer over the cap is the token service's problem, and said to be: not a manifest's.
    auto token_fetch = [&](const http::Request& r) {
        try {
            return client_.fetch(r, realm_tls, kMaxTokenResponse);
        } catch (const http::BodyTooLarge&) {
            throw Failure(Error{ErrorKind::Protocol,
                                "the token server " + realm_uri.getHost() + " answered with more than " +
                                    std::to_string(kMaxTokenResponse >> 20) + " MiB: not a token response",
                                options_.registry, repository,
                                "the registry's token service is misbehaving; report it to its operator"});
        }
    };
    auto resp = with_retries(
        realm_uri.getHost(), options_.retries, options_.stop, true, [&] { return token_fetch(req); }, &req);
    // Servers without the OAuth2 endpoint answer 404, 405 or 501 (GCR, simple token servers), some
    // 400 (ACR) or 401 (Artifactory): ask again with GET, as containerd does. A refresh token then
    // goes as a Basic password, which is how docker's GET endpoint takes it.
    const int status = resp.status;
    if (oauth && (status == 400 || status == 401 || status == 404 || status == 405 || status == 501)) {
        if (status == 404 || status == 405 || status == 501) tokens_.mark_oauth_unsupported(realm);
        http::Request get = refresh ? token_get("<token>", cred->identity_token.reveal())
                                    : token_get(cred->username, cred->password.reveal());
        resp = with_retries(
            realm_uri.getHost(), options_.retries, options_.stop, true, [&] { return token_fetch(get); },
            &get);
    }
    ErrorContext ctx = error_context(repository, "token", cred);
    if (resp.status != 200) {
        if (resp.status == 401 || resp.status == 403) throw registry_error(resp, ctx);
        throw Failure(Error{resp.status >= 500 ? ErrorKind::ServerError : ErrorKind::Protocol,
                            "the token server " + realm_uri.getHost() + " answered " +
                                std::to_string(resp.status) + " " + resp.reason,
                            options_.registry, repository,
                            "retry later; the registry's token service is failing"});
    }
    auto answer = parse_token_response(resp.body);
    if (!answer)
        throw Failure(Error{ErrorKind::Protocol,
                            "the token server " + realm_uri.getHost() + " answered without a token",
                            options_.registry, repository, "the registry's token service is misconfigured"});
    std::string token(answer->token.reveal());
    if (!is_bearer_token(token))
        throw Failure(Error{ErrorKind::Protocol,
                            "the token server " + realm_uri.getHost() +
                                " answered a token that is not a valid bearer token (RFC 6750): it holds "
                                "characters a request header cannot carry, such as CR/LF",
                            options_.registry, repository,
                            "the registry's token service is broken or hostile; the token was not used"});
    tokens_.put(cache_key, answer->token, answer->remaining(std::chrono::system_clock::now()));
    return token;
}

}  // namespace boxtool::registry
