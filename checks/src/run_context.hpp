// What the checks of one run share: the target, the probe, the image under test (given with
// --image, or pushed by the run), what the run pushed (for clean-up), and the results so far.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boxtool/checks/check.hpp"
#include "boxtool/checks/runner.hpp"
#include "boxtool/digest.hpp"
#include "boxtool/manifest.hpp"
#include "probe.hpp"

namespace boxtool::checks {

struct Verdict {
    Outcome outcome = Outcome::Skip;
    std::string evidence;
};

inline Verdict pass(std::string e) {
    return {Outcome::Pass, std::move(e)};
}
inline Verdict fail(std::string e) {
    return {Outcome::Fail, std::move(e)};
}
inline Verdict warn(std::string e) {
    return {Outcome::Warn, std::move(e)};
}
inline Verdict skip(std::string e) {
    return {Outcome::Skip, std::move(e)};
}

// A manifest (or index) the pull checks read.
struct TestManifest {
    std::string repository;
    std::string tag;  // may be empty (an image given by digest)
    Digest digest;
    std::string media_type;
    std::string body;
};

struct TestBlob {
    std::string repository;
    Descriptor descriptor;
    std::string bytes;  // the content when the run knows it (pushed, or small enough to read)
};

// A blob whose bytes the run pushed, to delete afterwards.
struct PushedBlob {
    std::string repository;
    Digest digest;
};

struct Run {
    const Target& target;
    Probe probe;
    ResultCallback on_result;
    std::vector<CheckResult> results;
    std::string run_id;        // random, names what the run pushes
    std::string pull_scope;    // "repository:NS:pull"
    std::string push_scope;    // "repository:NS:pull,push"
    std::string delete_scope;  // "repository:NS:pull,push,delete": registry:2 asks delete for any DELETE

    // The image under test, and its relatives when known.
    std::optional<TestManifest> image;         // a single manifest
    std::optional<TestManifest> docker_image;  // a Docker schema 2 manifest
    std::optional<TestManifest> index;         // an index
    std::optional<TestBlob> blob;              // a blob of the image, at least 1500 bytes when possible
    std::string no_image_reason;               // why the pull checks skip, when there is no image

    // What the run pushed, for the content management checks and the clean-up.
    std::vector<std::string> pushed_tags;
    std::vector<TestManifest> pushed_manifests;  // in push order; deleted in reverse
    std::vector<PushedBlob> pushed_blobs;
    std::optional<Digest> artifact;  // the artifact with a subject
    bool referrers_api = false;      // the registry answered with OCI-Subject or serves referrers
    std::string fallback_tag;        // "sha256-HEX" written for the artifact, if any
    // Saved answers of the seeding steps, judged by the push checks.
    std::optional<http::Response> seed_post_put;
    std::optional<http::Response> seed_manifest_by_tag;
    std::optional<http::Response> seed_manifest_by_digest;
    std::optional<http::Response> seed_index;
    std::optional<http::Response> seed_artifact;
    std::string seed_error;
    // Answers the pull checks saw, for later checks (HEAD and GET agreement, redirects).
    std::map<std::string, http::Response> saved;

    explicit Run(const Target& t) : target(t), probe(t) {}

    // Runs one check if it is selected (and records a skip when it cannot run here).
    void check(const std::string& id, const std::function<Verdict()>& body);
    bool wants(const std::string& id) const;
    bool wants_any(const std::string& glob) const;
    const CheckResult* result(const std::string& id) const;
};

// The families, in run order.
void tls_checks(Run& run);
void auth_checks(Run& run);
void seed_image(Run& run);
void push_checks(Run& run);
void find_image(Run& run);
void pull_checks(Run& run);
void discovery_checks(Run& run);
void behaviour_checks(Run& run);
void management_checks(Run& run);

// Helpers shared by the families.
std::string error_code_of(const std::string& body);  // first errors[].code, or ""
std::string describe(const http::Response& r);       // "HTTP 404 (BLOB_UNKNOWN)"
std::string random_hex(std::size_t bytes);
std::string short_digest(const std::string& digest);
std::string accept_all_manifests();
http::Request request(const std::string& method, const std::string& url);

}  // namespace boxtool::checks
