// The checks, in run order. Ids are stable: users select them with --only / --skip and CI
// systems track them by name, so an id is never renamed, only added.
#include <fnmatch.h>

#include "boxtool/checks/check.hpp"

namespace boxtool::checks {
namespace {

constexpr const char* kPull = "OCI distribution-spec v1.1, Pull";
constexpr const char* kPush = "OCI distribution-spec v1.1, Push";
constexpr const char* kDiscovery = "OCI distribution-spec v1.1, Content Discovery";
constexpr const char* kManagement = "OCI distribution-spec v1.1, Content Management";
constexpr const char* kErrors = "OCI distribution-spec v1.1, Error Codes";
constexpr const char* kToken = "Docker token authentication spec (distribution/docs/spec/auth/token.md)";
constexpr const char* kOAuth = "Docker OAuth2 token spec (distribution/docs/spec/auth/oauth.md)";

std::vector<CheckInfo> make_catalog() {
    using L = Level;
    return {
        // The API root.
        {"pull.ping", L::Must, std::string(kPull) + ": Determining Support (end-1)",
         "GET /v2/ answers 200, or 401 with a challenge", false},
        {"pull.ping.api-version", L::Should, "Docker Registry HTTP API V2: API Version Check",
         "/v2/ carries Docker-Distribution-API-Version: registry/2.0", false},
        // TLS.
        {"tls.chain", L::Must, "RFC 5280 section 6; RFC 9110 section 4.3.4",
         "the certificate chain verifies against the system store and the CAs given", false},
        {"tls.hostname", L::Must, "RFC 9110 section 4.3.4; RFC 6125",
         "the certificate names the registry host", false},
        {"tls.expiry", L::Boxtool, "RFC 5280 section 4.1.2.5",
         "the certificate is valid, and for 30 days more (warn below, fail when expired)", false},
        {"tls.legacy-versions", L::Must, "RFC 8996 section 2-3 (TLS 1.0 and 1.1 MUST NOT be negotiated)",
         "a TLS 1.0/1.1-only client is refused", false},
        {"tls.plain-http", L::Boxtool, "RFC 9110 section 4.2.2",
         "plain HTTP on the TLS port serves no registry content", false},
        // Authentication.
        {"auth.challenge.present", L::Must, "RFC 9110 section 11.6.1 (401 MUST carry WWW-Authenticate)",
         "a 401 carries a WWW-Authenticate challenge", false},
        {"auth.challenge.grammar", L::Must, "RFC 9110 section 11.6.1 and 11.2; RFC 6750 section 3",
         "challenges parse: scheme, realm, service, scope; quoted and unquoted values; several challenges",
         false},
        {"auth.challenge.realm-https", L::Boxtool, "RFC 6750 section 5.3 (tokens over TLS)",
         "the token realm is HTTPS (a realm on plain HTTP is flagged)", false},
        {"auth.token.anonymous", L::Should, kToken,
         "an anonymous token request is answered (a token, or a clean 401/403)", false},
        {"auth.token.basic-get", L::Must, kToken, "a token is issued by GET with Basic credentials", false},
        {"auth.token.oauth2-post", L::Should, kOAuth, "a token is issued by OAuth2 POST, grant_type=password",
         false},
        {"auth.token.oauth2-refresh", L::Should, kOAuth, "an OAuth2 refresh_token grant is honoured", false},
        {"auth.token.lifetime", L::Boxtool, kToken,
         "token answers carry a sane expires_in (60 s to 1 year) and issued_at", false},
        {"auth.token.scope", L::Must, kToken,
         "the token grants the scope asked for (pull; pull,push with --push)", false},
        {"auth.credentials.bad", L::Must, "RFC 9110 section 15.5.2; Docker token spec",
         "bad credentials get 401 with a challenge (not 404 or 403)", false},
        {"auth.scope.insufficient", L::Boxtool,
         "RFC 6750 section 3.1 (insufficient_scope); OCI distribution-spec DENIED",
         "access without rights gets 401 insufficient_scope or 403, not 404", false},
        {"auth.basic.plain-http", L::Boxtool, "RFC 7617 section 4",
         "no Basic credentials over plain HTTP unless the registry was named insecure", false},
        // Push workflows: they also seed the image the pull checks read.
        {"push.blob.post-put", L::Must, std::string(kPush) + ": POST then PUT (end-4a, end-6)",
         "a blob uploads with POST then a monolithic PUT", true},
        {"push.blob.monolithic-post", L::Should, std::string(kPush) + ": Single POST",
         "a blob uploads in a single POST with ?digest= (or 202 to continue)", true},
        {"push.blob.chunked", L::Must, std::string(kPush) + ": Pushing a blob in chunks (end-5)",
         "a blob uploads in PATCH chunks with Content-Range, closed by PUT", true},
        {"push.blob.chunked-out-of-order", L::Should,
         std::string(kPush) + ": Pushing a blob in chunks (MUST for registries that honour Content-Range; "
                              "registry:2 2.8 ignores it)",
         "a chunk that does not continue the upload is refused with 416", true},
        {"push.blob.streamed", L::Should, std::string(kPush) + ": Pushing a blob in chunks (streamed PATCH)",
         "a PATCH without Content-Range (chunked transfer) is accepted", true},
        {"push.upload.status", L::Must, std::string(kPush) + ": upload status (end-13)",
         "GET on an upload answers 204 with Range and Location", true},
        {"push.upload.cancel", L::Should, std::string(kPush) + ": cancelling an upload",
         "DELETE cancels an upload; it is then 404 BLOB_UPLOAD_UNKNOWN", true},
        {"push.blob.mount", L::Should,
         std::string(kPush) + ": Mounting a blob from another repository (end-11)",
         "a blob mounts from another repository with ?mount=&from= (201)", true},
        {"push.blob.mount-no-from", L::Should, std::string(kPush) + ": Mounting a blob without from",
         "?mount= without from answers 201 or 202 (an upload)", true},
        {"push.blob.empty", L::Must, std::string(kPush) + ": Pushing blobs",
         "the empty blob (size 0) uploads and reads back", true},
        {"push.errors.digest-invalid", L::Must, kErrors,
         "an upload closed with the wrong digest is refused with 400 DIGEST_INVALID", true},
        {"push.manifest.put-by-tag", L::Must, std::string(kPush) + ": Pushing Manifests (end-7)",
         "a manifest PUT by tag answers 201 with Location and the right Docker-Content-Digest", true},
        {"push.manifest.put-by-digest", L::Must, std::string(kPush) + ": Pushing Manifests (end-7)",
         "a manifest PUT by digest answers 201", true},
        {"push.manifest.index", L::Must, std::string(kPush) + ": Pushing Manifests",
         "an OCI image index PUT answers 201", true},
        {"push.manifest.artifact-subject", L::Must, std::string(kPush) + ": Pushing Manifests with Subject",
         "an artifact manifest with a subject PUT answers 201", true},
        // Pull.
        {"pull.manifest.head-by-tag", L::Must, std::string(kPull) + ": Checking if content exists (end-3)",
         "HEAD manifest by tag answers 200", false},
        {"pull.manifest.get-by-tag", L::Must, std::string(kPull) + ": Pulling manifests (end-3)",
         "GET manifest by tag answers 200 with the manifest", false},
        {"pull.manifest.head-by-digest", L::Must, std::string(kPull) + ": Checking if content exists (end-3)",
         "HEAD manifest by digest answers 200", false},
        {"pull.manifest.get-by-digest", L::Must, std::string(kPull) + ": Pulling manifests (end-3)",
         "GET manifest by digest answers 200 with bytes of that digest", false},
        {"pull.manifest.digest-header", L::Should, std::string(kPull) + ": Pulling manifests",
         "manifest answers carry Docker-Content-Digest", false},
        {"pull.manifest.digest-matches", L::Must, std::string(kPull) + ": Pulling manifests",
         "Docker-Content-Digest equals the digest of the bytes served", false},
        {"pull.manifest.content-type", L::Must, std::string(kPull) + ": Pulling manifests",
         "Content-Type equals the manifest's mediaType", false},
        {"pull.manifest.negotiation.oci", L::Must, std::string(kPull) + ": Pulling manifests (Accept)",
         "an OCI manifest is served as OCI when OCI types are accepted", false},
        {"pull.manifest.negotiation.docker", L::Should,
         "Docker Image Manifest V2, Schema 2: content negotiation",
         "a Docker schema 2 manifest is served as Docker schema 2", false},
        {"pull.manifest.negotiation.index", L::Must, std::string(kPull) + ": Pulling manifests (Accept)",
         "an index is served as an index when index types are accepted", false},
        {"pull.blob.head", L::Must, std::string(kPull) + ": Checking if content exists (end-2)",
         "HEAD blob answers 200 with its Content-Length", false},
        {"pull.blob.get", L::Must, std::string(kPull) + ": Pulling blobs (end-2)",
         "GET blob answers 200 with bytes of that digest", false},
        {"pull.blob.head-missing", L::Must, std::string(kPull) + ": Checking if content exists",
         "HEAD of a missing blob answers 404", false},
        {"pull.blob.get-missing", L::Must, std::string(kPull) + ": Pulling blobs",
         "GET of a missing blob answers 404 (not 200)", false},
        {"pull.blob.range.bounded", L::Should, "RFC 9110 section 14.2; OCI distribution-spec Pulling blobs",
         "Range: bytes=500-1499 answers 206 with those 1000 bytes", false},
        {"pull.blob.range.open-ended", L::Should, "RFC 9110 section 14.1.2",
         "Range: bytes=500- answers 206 from byte 500 to the end", false},
        {"pull.blob.range.suffix", L::Should, "RFC 9110 section 14.1.2",
         "Range: bytes=-500 answers 206 with the last 500 bytes", false},
        {"pull.blob.range.beyond-end", L::Should, "RFC 9110 section 15.5.17",
         "a range starting past the end answers 416 with Content-Range: bytes */SIZE", false},
        {"pull.blob.range.invalid", L::Should, "RFC 9110 section 14.2 (an invalid Range is ignored)",
         "an invalid Range answers 200 with the whole blob, or 416", false},
        {"pull.errors.manifest-unknown", L::Must, kErrors,
         "a missing tag answers 404 with a MANIFEST_UNKNOWN error body", false},
        {"pull.errors.blob-unknown", L::Must, kErrors,
         "a missing blob answers 404 with a BLOB_UNKNOWN error body", false},
        {"pull.errors.name-unknown", L::Should, kErrors, "a missing repository answers 404 with NAME_UNKNOWN",
         false},
        {"pull.errors.digest-invalid", L::Should, kErrors,
         "a malformed digest is refused with 400 DIGEST_INVALID (or 404)", false},
        {"pull.errors.format", L::Must, kErrors,
         "every error body seen is {\"errors\":[{\"code\",\"message\"}]} with codes from the spec", false},
        // Content discovery.
        {"discovery.tags.list", L::Must, std::string(kDiscovery) + ": Listing Tags (end-8a)",
         "GET tags/list answers {name, tags} and lists the image's tag", false},
        {"discovery.tags.n", L::Should,
         std::string(kDiscovery) +
             ": Listing Tags (end-8b; pagination is optional before v1.1: registry:2 2.8 lists all)",
         "tags/list?n=1 answers at most one tag", false},
        {"discovery.tags.last", L::Should,
         std::string(kDiscovery) + ": Listing Tags (end-8b; pagination is optional before v1.1)",
         "tags/list?last=T answers only tags after T", false},
        {"discovery.tags.link", L::Should, std::string(kDiscovery) + ": Listing Tags (Link header)",
         "a partial page carries Link: <...>; rel=\"next\" that leads to the rest", false},
        {"discovery.referrers", L::Must,
         std::string(kDiscovery) + ": Listing Referrers (end-12a), or the referrers tag schema",
         "the referrers API answers an index, or is absent (404) and the fallback tag schema works", false},
        {"discovery.referrers.listed", L::Must, std::string(kDiscovery) + ": Listing Referrers",
         "the pushed artifact is listed by the referrers API or the fallback tag", true},
        // Behaviour clients depend on.
        {"behavior.head-get-agree", L::Should, "RFC 9110 section 9.3.2",
         "HEAD and GET agree on status, Content-Length, Content-Type and Docker-Content-Digest", false},
        {"behavior.blob-redirect", L::Boxtool,
         "RFC 9110 section 15.4; OCI distribution-spec Pulling blobs (307)",
         "a blob redirect serves the blob without the registry's Authorization", false},
        {"behavior.retry-after", L::Boxtool, "RFC 6585 section 4; RFC 9110 section 10.2.3",
         "every 429 answer seen carries Retry-After", false},
        // Content management, last: it deletes what the run pushed.
        {"management.tag.delete", L::Should, std::string(kManagement) + ": Deleting tags (end-9)",
         "DELETE manifest by tag answers 202 (or 400/405 when disabled)", true},
        {"management.manifest.delete", L::Should, std::string(kManagement) + ": Deleting Manifests (end-9)",
         "DELETE manifest by digest answers 202, then GET is 404", true},
        {"management.blob.delete", L::Should, std::string(kManagement) + ": Deleting Blobs (end-10)",
         "DELETE blob answers 202, then GET is 404", true},
        {"management.cleanup", L::Boxtool, std::string(kManagement),
         "everything the run pushed is removed again", true},
    };
}

}  // namespace

const char* to_string(Level level) noexcept {
    switch (level) {
        case Level::Must:
            return "MUST";
        case Level::Should:
            return "SHOULD";
        case Level::Boxtool:
            return "BOXTOOL";
    }
    return "?";
}

const char* to_string(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::Pass:
            return "pass";
        case Outcome::Fail:
            return "fail";
        case Outcome::Warn:
            return "warn";
        case Outcome::Skip:
            return "skip";
    }
    return "?";
}

const std::vector<CheckInfo>& catalog() {
    static const std::vector<CheckInfo> all = make_catalog();
    return all;
}

bool id_matches(std::string_view glob, std::string_view id) {
    return ::fnmatch(std::string(glob).c_str(), std::string(id).c_str(), 0) == 0;
}

bool selected(const std::string& id, const std::vector<std::string>& only,
              const std::vector<std::string>& skip) {
    bool in = only.empty();
    for (const auto& g : only)
        if (id_matches(g, id)) in = true;
    for (const auto& g : skip)
        if (id_matches(g, id)) in = false;
    return in;
}

bool is_required_failure(const CheckResult& result) {
    return result.outcome == Outcome::Fail && result.info.level == Level::Must;
}

}  // namespace boxtool::checks
