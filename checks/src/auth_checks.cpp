// auth.*: challenges, token service, credentials and scopes, beyond what the OCI suite checks.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <ctime>

#include "challenge_grammar.hpp"
#include "run_context.hpp"
#include "util/base64.hpp"

namespace boxtool::checks {
namespace {

// The claims of a JWT (unverified: the registry verifies; the check reads what was granted).
Poco::JSON::Object::Ptr jwt_claims(const std::string& token) {
    auto first = token.find('.');
    auto second = token.find('.', first + 1);
    if (first == std::string::npos || second == std::string::npos) return nullptr;
    std::string payload = token.substr(first + 1, second - first - 1);
    for (auto& c : payload) {
        if (c == '-') c = '+';
        if (c == '_') c = '/';
    }
    while (payload.size() % 4) payload += '=';
    try {
        auto json = util::base64_decode(payload);
        if (!json) return nullptr;
        return Poco::JSON::Parser().parse(*json).extract<Poco::JSON::Object::Ptr>();
    } catch (...) {
        return nullptr;
    }
}

// The actions a token grants on a repository, from its JWT "access" claim; nullopt when opaque.
std::optional<std::vector<std::string>> granted(const std::string& token, const std::string& repository) {
    auto claims = jwt_claims(token);
    if (!claims || !claims->has("access")) return std::nullopt;
    std::vector<std::string> out;
    auto access = claims->getArray("access");
    for (std::size_t i = 0; access && i < access->size(); ++i) {
        auto entry = access->getObject(static_cast<unsigned>(i));
        if (!entry || entry->optValue<std::string>("name", "") != repository) continue;
        auto actions = entry->getArray("actions");
        for (std::size_t a = 0; actions && a < actions->size(); ++a)
            out.push_back(actions->getElement<std::string>(static_cast<unsigned>(a)));
    }
    return out;
}

bool has_action(const std::vector<std::string>& actions, const std::string& want) {
    for (const auto& a : actions)
        if (a == want || a == "*") return true;
    return false;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s.empty() ? "nothing" : s;
}

// RFC 3339 with optional fraction and Z or an offset; the seconds since the epoch.
std::optional<std::time_t> parse_rfc3339(const std::string& text) {
    std::tm tm{};
    const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest) return std::nullopt;
    if (*rest == '.') {
        ++rest;
        while (*rest >= '0' && *rest <= '9') ++rest;
    }
    long offset = 0;
    if (*rest == 'Z' || *rest == 'z') {
        ++rest;
    } else if (*rest == '+' || *rest == '-') {
        int sign = *rest == '-' ? -1 : 1;
        int hh = 0, mm = 0;
        if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
        offset = sign * (hh * 3600 + mm * 60);
        rest += 6;
    } else {
        return std::nullopt;
    }
    if (*rest) return std::nullopt;
    return ::timegm(&tm) - offset;
}

}  // namespace

void auth_checks(Run& run) {
    Probe& p = run.probe;
    const auto* bearer = p.bearer();
    const bool auth_required = p.ping_status() == 401;
    const bool has_creds = run.target.credential.has_value();
    const std::string realm = bearer ? bearer->param("realm") : "";

    run.check("auth.challenge.present", [&] {
        if (!auth_required)
            return skip("/v2/ answered " + std::to_string(p.ping_status()) + ": no authentication asked");
        if (p.challenge_headers().empty()) return fail("/v2/ answered 401 without WWW-Authenticate");
        return pass("401 with " + std::to_string(p.challenge_headers().size()) +
                    " WWW-Authenticate header(s)");
    });
    run.check("auth.challenge.grammar", [&] {
        if (p.challenge_headers().empty()) return skip("no challenge was sent");
        std::string seen;
        for (const auto& h : p.challenge_headers()) {
            auto parsed = parse_challenges_strict(h);
            if (!parsed.error.empty()) return fail("WWW-Authenticate: " + h + " -- " + parsed.error);
            for (const auto& c : parsed.challenges) {
                if (auto problem = bearer_problem(c); !problem.empty()) return fail(problem + " (" + h + ")");
                std::string params;
                for (const auto& [k, v] : c.params) params += (params.empty() ? "" : ",") + k;
                seen += (seen.empty() ? "" : "; ") + c.scheme + (params.empty() ? "" : " " + params);
            }
        }
        return pass("well-formed: " + seen);
    });
    run.check("auth.challenge.realm-https", [&] {
        if (!bearer) return skip("no Bearer challenge");
        if (realm.rfind("https://", 0) == 0) return pass("realm " + realm);
        if (!p.plain_http())
            return fail("the HTTPS registry sends clients to the plain-HTTP realm " + realm +
                        ": credentials and tokens would cross the network in clear");
        return warn("the token realm " + realm +
                    " is plain HTTP: credentials and tokens cross the network in clear");
    });

    auto token_reason = [&]() -> std::string {
        if (!bearer) return "no Bearer challenge (the registry does not use token authentication)";
        if (realm.empty()) return "the Bearer challenge names no realm";
        return {};
    };
    run.check("auth.token.anonymous", [&] {
        if (auto why = token_reason(); !why.empty()) return skip(why);
        auto a = p.token_get(run.pull_scope, false);
        if (a.status == 200 && !a.token.empty())
            return pass("an anonymous token was issued for " + run.pull_scope);
        if (a.status == 200) return fail("200 without a token or access_token field");
        if (a.status == 401 || a.status == 403)
            return pass("anonymous tokens refused cleanly (HTTP " + std::to_string(a.status) + ")");
        return fail("the token service answered HTTP " + std::to_string(a.status) +
                    " to an anonymous request");
    });
    run.check("auth.token.basic-get", [&] {
        if (auto why = token_reason(); !why.empty()) return skip(why);
        if (!has_creds || !p.has_password())
            return skip("no credentials given (--creds, OCI_USERNAME/OCI_PASSWORD or the chain)");
        if (!p.can_send_credentials(realm))
            return skip("not sending credentials to the plain-HTTP realm " + realm +
                        " (name the registry insecure to allow it)");
        auto a = p.token_get(run.pull_scope, true);
        if (a.status == 200 && !a.token.empty())
            return pass("GET " + realm + " with Basic credentials issued a token");
        return fail("GET " + realm + " with Basic credentials answered HTTP " + std::to_string(a.status) +
                    (a.status == 200 ? " without a token" : ""));
    });
    std::string refresh_from_post;
    run.check("auth.token.oauth2-post", [&] {
        if (auto why = token_reason(); !why.empty()) return skip(why);
        if (!has_creds || run.target.credential->password.empty())
            return skip("no username and password given");
        if (!p.can_send_credentials(realm))
            return skip("not sending credentials to the plain-HTTP realm " + realm);
        auto a = p.token_post_password(run.pull_scope, true);
        refresh_from_post = a.refresh_token;
        if (a.status == 200 && !a.token.empty())
            return pass("POST grant_type=password issued an access token");
        if (a.status == 400 || a.status == 404 || a.status == 405 || a.status == 501)
            return warn("no OAuth2 POST endpoint (HTTP " + std::to_string(a.status) +
                        "); clients fall back to GET");
        return fail("POST grant_type=password answered HTTP " + std::to_string(a.status));
    });
    run.check("auth.token.oauth2-refresh", [&] {
        if (auto why = token_reason(); !why.empty()) return skip(why);
        std::string refresh = refresh_from_post;
        if (has_creds && !run.target.credential->identity_token.empty())
            refresh = std::string(run.target.credential->identity_token.reveal());
        if (refresh.empty())
            return skip("no refresh token: the service issued none with access_type=offline");
        if (!p.can_send_credentials(realm))
            return skip("not sending a refresh token to the plain-HTTP realm " + realm);
        auto a = p.token_post_refresh(run.pull_scope, refresh);
        if (a.status == 200 && !a.token.empty())
            return pass("POST grant_type=refresh_token issued an access token");
        return fail("POST grant_type=refresh_token answered HTTP " + std::to_string(a.status));
    });
    // Make sure there is at least one token answer to judge, with the run's own credentials.
    std::optional<std::string> pull_token;
    if (bearer && !realm.empty()) pull_token = p.token_for(run.pull_scope);
    run.check("auth.token.lifetime", [&] {
        if (auto why = token_reason(); !why.empty()) return skip(why);
        int judged = 0;
        for (const auto& a : p.token_answers()) {
            if (a.status != 200 || a.token.empty()) continue;
            ++judged;
            if (!a.expires_in)
                return fail("a token answer (" + a.how + ") has no expires_in: clients must assume 60 s");
            if (*a.expires_in < 60 || *a.expires_in > 31536000)
                return fail("expires_in is " + std::to_string(*a.expires_in) + " (" + a.how +
                            "), outside 60 s to 1 year");
            if (a.has_issued_at) {
                auto t = parse_rfc3339(a.issued_at);
                if (!t) return fail("issued_at \"" + a.issued_at + "\" is not RFC 3339 (" + a.how + ")");
                double skew = std::difftime(*t, std::time(nullptr));
                if (skew > 600 || skew < -600)
                    return fail("issued_at " + a.issued_at + " is " +
                                std::to_string(static_cast<long>(skew)) + " s off this machine's clock");
            }
        }
        if (judged == 0) return skip("no token was issued to judge");
        return pass(std::to_string(judged) + " token answer(s) with sane expires_in and issued_at");
    });
    run.check("auth.token.scope", [&] {
        if (auto why = token_reason(); !why.empty()) return skip(why);
        if (!pull_token) return skip("no token was issued for " + run.pull_scope);
        auto actions = granted(*pull_token, run.target.name_space);
        std::string evidence;
        if (actions) {
            if (!has_action(*actions, "pull")) {
                if (!has_creds)
                    return skip("anonymous token grants " + join(*actions) + " on " + run.target.name_space);
                return fail("the token for " + run.pull_scope + " grants " + join(*actions));
            }
            evidence = "pull token grants " + join(*actions);
        } else {
            evidence = "opaque pull token";
        }
        if (run.target.push) {
            auto push_token = p.token_for(run.push_scope);
            if (!push_token) return fail("no token was issued for " + run.push_scope);
            auto push_actions = granted(*push_token, run.target.name_space);
            if (push_actions && !has_action(*push_actions, "push"))
                return fail("the token for " + run.push_scope + " grants " + join(*push_actions) +
                            " (no push)");
            evidence += push_actions ? "; push token grants " + join(*push_actions) : "; opaque push token";
        }
        return pass(evidence);
    });
    run.check("auth.credentials.bad", [&] {
        if (!auth_required) return skip("the registry asks for no credentials on /v2/");
        const std::string user = "boxtool-conformance-nobody";
        const std::string password = "wrong-" + random_hex(8);
        if (bearer && !realm.empty()) {
            auto a = p.token_get_as(run.pull_scope, user, password);
            if (a.status == 401) {
                // A made-up token must be refused by the registry too, with a challenge.
                auto req = request("GET", "/v2/");
                req.headers.emplace_back("Authorization", "Bearer boxtool.conformance." + random_hex(8));
                auto r = p.raw(req, 64 * 1024);
                if (r.status == 401 && !r.header("WWW-Authenticate").empty())
                    return pass(
                        "wrong password: token service 401; invalid token: registry 401 with a challenge");
                return fail("an invalid bearer token got " + describe(r) + " from /v2/" +
                            (r.status == 401 ? " without a challenge" : " instead of 401"));
            }
            if (a.status == 200 && !a.token.empty())
                return fail("the token service issued a token for a wrong password (HTTP 200)");
            return fail("a wrong password got HTTP " + std::to_string(a.status) +
                        " from the token service instead of 401");
        }
        auto req = request("GET", "/v2/");
        req.headers.emplace_back("Authorization", "Basic " + util::base64_encode(user + ":" + password));
        auto r = p.raw(req, 64 * 1024);
        if (r.status == 401 && !r.header("WWW-Authenticate").empty())
            return pass("wrong password: 401 with a challenge");
        if (r.status == 401) return fail("wrong password: 401 without WWW-Authenticate");
        return fail("wrong password got " + describe(r) + " instead of 401");
    });
    run.check("auth.scope.insufficient", [&] {
        if (!auth_required) return skip("the registry asks for no credentials on /v2/");
        // Without credentials (an anonymous token, or none) the namespace must be refused, not hidden.
        auto req = request("GET", "/v2/" + run.target.name_space + "/tags/list");
        if (bearer && !realm.empty()) {
            auto a = p.token_get(run.pull_scope, false);
            if (a.status == 200 && !a.token.empty())
                req.headers.emplace_back("Authorization", "Bearer " + a.token);
        }
        auto r = p.raw(req, 1024 * 1024);
        std::string anonymous;
        if (r.status == 200 || r.status == 404) {
            if (r.status == 404 && error_code_of(r.body) != "NAME_UNKNOWN")
                return fail("access without rights got " + describe(r) + " instead of 401/403");
            anonymous = "anonymous may list " + run.target.name_space;
        } else if (r.status == 401 || r.status == 403) {
            std::string challenge = r.header("WWW-Authenticate");
            anonymous =
                "anonymous: HTTP " + std::to_string(r.status) +
                (challenge.find("insufficient_scope") != std::string::npos ? " insufficient_scope" : "");
        } else {
            return fail("access without rights got " + describe(r));
        }
        // With --push: a pull-only token must not start an upload.
        if (run.target.push && bearer && !realm.empty() && has_creds) {
            auto token = p.token_for(run.pull_scope);
            if (token) {
                auto post = request("POST", "/v2/" + run.target.name_space + "/blobs/uploads/");
                post.headers.emplace_back("Authorization", "Bearer " + *token);
                auto u = p.raw(post, 64 * 1024);
                if (u.status == 202) {
                    auto cancel = request("DELETE", u.header("Location"));
                    p.api(cancel, run.delete_scope, 64 * 1024);
                    return fail("a pull-only token started an upload (202)");
                }
                if (u.status == 404) return fail("a push with a pull-only token got 404 instead of 401/403");
                if (u.status != 401 && u.status != 403)
                    return fail("a push with a pull-only token got " + describe(u));
                return pass(anonymous + "; push with a pull-only token: HTTP " + std::to_string(u.status));
            }
        }
        if (r.status == 200 || r.status == 404) return skip(anonymous + " (public): no refusal to judge");
        return pass(anonymous);
    });
    run.check("auth.basic.plain-http", [&] {
        bool basic_asked = p.basic() != nullptr;
        if (!basic_asked)
            return skip(bearer ? "token authentication (see auth.challenge.realm-https)"
                               : "no Basic challenge");
        if (!p.plain_http()) return pass("Basic credentials go over TLS only");
        if (run.target.insecure)
            return warn(
                "the registry asks for Basic credentials over plain HTTP; sent because it was named "
                "insecure");
        return fail(
            "the registry asks for Basic credentials over plain HTTP; boxtool sends none unless it is named "
            "insecure");
    });
}

}  // namespace boxtool::checks
