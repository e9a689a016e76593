#include "registry/registry_errors.hpp"

#include "registry/challenge.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace boxtool::registry {

std::string error_code(const std::string& body, std::string* message) {
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        auto errors = obj ? obj->getArray("errors") : nullptr;
        if (!errors || errors->size() == 0) return {};
        auto first = errors->getObject(0);
        if (!first) return {};
        if (message && first->has("message") && first->get("message").isString())
            *message = first->getValue<std::string>("message");
        return first->has("code") && first->get("code").isString() ? first->getValue<std::string>("code")
                                                                   : "";
    } catch (...) {
        return {};  // not a distribution error document; the status code alone decides
    }
}

std::string describe_credential_search(const std::vector<std::string>& sources) {
    if (sources.empty()) return "no credential source is configured";
    std::string text = "looked in: ";
    for (std::size_t i = 0; i < sources.size(); ++i) text += (i ? ", " : "") + sources[i];
    return text;
}

Failure registry_error(const http::Response& resp, const ErrorContext& ctx) {
    std::string detail;
    std::string code = error_code(resp.body, &detail);
    std::string where = ctx.registry + "/" + ctx.repository;
    auto make = [&](ErrorKind kind, std::string msg, std::string hint) {
        return Failure(Error{kind, std::move(msg), ctx.registry, ctx.repository, std::move(hint)});
    };
    const std::string private_hint =
        "check the reference and the registry order; a private image can also look missing when no "
        "credentials are given, so try --creds";

    if (code == "MANIFEST_UNKNOWN" || (code.empty() && resp.status == 404 &&
                                       ctx.object.rfind("blob", 0) != 0 && ctx.object != "registry API"))
        return make(ErrorKind::ManifestUnknown, "manifest unknown: " + where + " has no " + ctx.object,
                    private_hint);
    if (code == "NAME_UNKNOWN")
        return make(ErrorKind::NameUnknown,
                    "name unknown: repository " + ctx.repository + " not found on " + ctx.registry,
                    private_hint);
    if (code == "BLOB_UNKNOWN" || (resp.status == 404 && ctx.object.rfind("blob", 0) == 0))
        return make(
            ErrorKind::BlobUnknown, "blob unknown: " + where + " is missing " + ctx.object,
            "the registry lists content it does not have; its storage may be damaged. Report it to the "
            "registry's operator, or pull from another registry");
    if (code == "TOOMANYREQUESTS" || resp.status == 429) {
        std::string after = resp.header("Retry-After");
        return make(ErrorKind::TooManyRequests,
                    "too many requests: " + ctx.registry + " is rate limiting pulls" +
                        (after.empty() ? "" : " (retry after " + after + " s)"),
                    "wait and retry, authenticate (--creds) for a higher limit, or use a mirror");
    }
    if (code == "DENIED" || resp.status == 403)
        return make(
            ErrorKind::Denied,
            "denied: access to " + where + " was refused" + (detail.empty() ? "" : " (" + detail + ")"),
            ctx.had_credentials
                ? "the account from " + ctx.credential_source +
                      " is not allowed to pull this repository; ask for pull rights"
                : "the registry refuses anonymous pulls here and no credentials were found (" +
                      describe_credential_search(ctx.credential_sources) + "); provide them with --creds");
    if (code == "UNAUTHORIZED" || resp.status == 401) {
        // With Bearer auth the token server may accept the credentials yet grant no pull on this
        // repository: the registry then says insufficient_scope, and the password is not the problem.
        bool insufficient_scope = false;
        for (const auto& c : parse_challenges(resp.header_values("WWW-Authenticate")))
            if (c.scheme == "bearer" && c.param("error") == "insufficient_scope") insufficient_scope = true;
        if (ctx.had_credentials && insufficient_scope)
            return make(
                ErrorKind::Denied,
                "insufficient scope: the account from " + ctx.credential_source + " may not pull " +
                    ctx.repository + " from " + ctx.registry,
                "the credentials were accepted, but the account has no pull rights on this repository; "
                "ask for access, or check the repository name");
        if (ctx.had_credentials)
            return make(ErrorKind::Unauthorized,
                        "unauthorized: " + ctx.registry + " rejected the credentials from " +
                            ctx.credential_source + " for " + ctx.repository,
                        "check the username and password (or token) for " + ctx.registry);
        return make(ErrorKind::Unauthorized,
                    "unauthorized: authentication required by " + ctx.registry + " to pull " +
                        ctx.repository + ": credentials are needed and none were found (" +
                        describe_credential_search(ctx.credential_sources) + ")",
                    "provide credentials with --creds USER --password-stdin, or store them where boxtool "
                    "looks (docker login / podman login, or boxtool registry add)");
    }
    if (resp.status == 404)
        return make(ErrorKind::Protocol,
                    ctx.registry + " does not serve the registry API (/v2/ answered 404)",
                    "check the registry host and port");
    if (resp.status >= 500)
        return make(ErrorKind::ServerError,
                    "server error: " + ctx.registry + " answered " + std::to_string(resp.status) + " " +
                        resp.reason + " for " + ctx.object,
                    "the registry is failing; retry later or use another registry");
    return make(ErrorKind::Protocol,
                "unexpected answer " + std::to_string(resp.status) + " " + resp.reason + " from " +
                    ctx.registry + " for " + ctx.object + (code.empty() ? "" : " (" + code + ")"),
                "");
}

}  // namespace boxtool::registry
