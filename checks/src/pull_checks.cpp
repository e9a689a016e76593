// pull.*: manifests, blobs, ranges and error bodies, against the image under test.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "grammar.hpp"
#include "run_context.hpp"

namespace boxtool::checks {
namespace {

constexpr std::size_t kReadWhole = 16 * 1024 * 1024;

std::string json_media_type(const std::string& body) {
    try {
        auto doc = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
        return doc ? doc->optValue<std::string>("mediaType", "") : "";
    } catch (...) {
        return {};
    }
}

std::string scope_of(const std::string& repo) {
    return "repository:" + repo + ":pull";
}

std::string content_type_base(std::string ct) {
    auto semi = ct.find(';');
    if (semi != std::string::npos) ct = ct.substr(0, semi);
    while (!ct.empty() && ct.back() == ' ') ct.pop_back();
    return ct;
}

// The descriptors a manifest lists (config first).
std::vector<Descriptor> blobs_in(const std::string& body) {
    std::vector<Descriptor> out;
    try {
        auto doc = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
        auto add = [&](const Poco::JSON::Object::Ptr& o) {
            if (!o) return;
            Descriptor d;
            d.media_type = o->optValue<std::string>("mediaType", "");
            auto digest = parse_digest(o->optValue<std::string>("digest", ""));
            d.size = o->optValue<std::uint64_t>("size", 0);
            if (!digest) return;
            d.digest = *digest;
            out.push_back(d);
        };
        add(doc->getObject("config"));
        if (auto layers = doc->getArray("layers"))
            for (std::size_t i = 0; i < layers->size(); ++i) add(layers->getObject(static_cast<unsigned>(i)));
    } catch (...) {
    }
    return out;
}

}  // namespace

void find_image(Run& run) {
    if (run.image || !run.no_image_reason.empty()) return;
    if (run.target.image.empty()) {
        run.no_image_reason = "no image to read: give --image REF (read-only) or --push (the run pushes one)";
        return;
    }
    std::string text = run.target.image;
    std::string repo = text, ref;
    if (auto at = text.find('@'); at != std::string::npos) {
        repo = text.substr(0, at);
        ref = text.substr(at + 1);
    } else if (auto colon = text.rfind(':');
               colon != std::string::npos && text.find('/', colon) == std::string::npos) {
        repo = text.substr(0, colon);
        ref = text.substr(colon + 1);
    } else {
        ref = "latest";
    }
    const bool by_digest = is_valid_digest(ref);
    try {
        auto get = request("GET", "/v2/" + repo + "/manifests/" + ref);
        get.headers.emplace_back("Accept", accept_all_manifests());
        auto r = run.probe.api(get, scope_of(repo), 4 * 1024 * 1024);
        if (r.status != 200) {
            run.no_image_reason = "--image " + text + " answered " + describe(r);
            return;
        }
        std::string media = json_media_type(r.body);
        if (media.empty()) media = content_type_base(r.header("Content-Type"));
        TestManifest top{repo, by_digest ? "" : ref, digest_of(r.body), media, r.body};
        if (by_digest) top.digest = parse_digest(ref).value();
        if (is_index_media_type(media)) {
            run.index = top;
            auto index = parse_index(r.body, media);
            if (!index || index->manifests.empty()) {
                run.no_image_reason = "--image " + text + " is an index with no usable manifest";
                return;
            }
            const Descriptor* chosen = &index->manifests.front();
            for (const auto& d : index->manifests)
                if (d.platform && d.platform->os != "unknown") {
                    chosen = &d;
                    break;
                }
            auto child = request("GET", "/v2/" + repo + "/manifests/" + chosen->digest.str());
            child.headers.emplace_back("Accept", accept_all_manifests());
            auto c = run.probe.api(child, scope_of(repo), 4 * 1024 * 1024);
            if (c.status != 200) {
                run.no_image_reason =
                    "manifest " + chosen->digest.str() + " of --image answered " + describe(c);
                return;
            }
            std::string cm = json_media_type(c.body);
            if (cm.empty()) cm = chosen->media_type;
            run.image = TestManifest{repo, "", chosen->digest, cm, c.body};
            // The tag checks read the tag, which names the index here.
            run.image->tag = "";
        } else {
            run.image = top;
        }
        if (run.image->media_type == media_type::kDockerManifest) run.docker_image = run.image;
        auto blobs = blobs_in(run.image->body);
        const Descriptor* best = nullptr;
        for (const auto& d : blobs)
            if (d.size >= 1500 && (!best || d.size < best->size)) best = &d;
        if (!best)
            for (const auto& d : blobs)
                if (!best || d.size > best->size) best = &d;
        if (best) {
            TestBlob b{repo, *best, {}};
            if (best->size <= kReadWhole) {
                auto g = run.probe.api(request("GET", "/v2/" + repo + "/blobs/" + best->digest.str()),
                                       scope_of(repo), kReadWhole);
                if (g.status == 200 && digest_of(g.body) == best->digest) b.bytes = g.body;
            }
            run.blob = b;
        }
    } catch (const Failure& f) {
        run.no_image_reason = "reading --image " + text + " failed: " + f.error().message;
    }
}

void pull_checks(Run& run) {
    Probe& p = run.probe;
    auto no_image = [&] {
        return skip(run.no_image_reason.empty() ? "no image to read" : run.no_image_reason);
    };
    const std::string repo = run.image ? run.image->repository : run.target.name_space;
    const std::string scope = scope_of(repo);
    auto manifest_req = [&](const std::string& method, const std::string& ref, const std::string& accept) {
        auto r = request(method, "/v2/" + repo + "/manifests/" + ref);
        r.headers.emplace_back("Accept", accept.empty() ? accept_all_manifests() : accept);
        return p.api(r, scope, 4 * 1024 * 1024);
    };
    // The tag that names the image (or the index holding it).
    std::string tag = run.image ? run.image->tag : "";
    std::string tag_target_digest = run.image ? run.image->digest.str() : "";
    if (tag.empty() && run.index && !run.index->tag.empty()) {
        tag = run.index->tag;
        tag_target_digest = run.index->digest.str();
    }

    run.check("pull.manifest.head-by-tag", [&] {
        if (!run.image) return no_image();
        if (tag.empty()) return skip("the image was given by digest: no tag");
        auto r = manifest_req("HEAD", tag, "");
        run.saved["manifest.head.tag"] = r;
        if (r.status != 200) return fail("HEAD manifests/" + tag + " answered " + describe(r));
        return pass("HEAD manifests/" + tag + ": 200");
    });
    run.check("pull.manifest.get-by-tag", [&] {
        if (!run.image) return no_image();
        if (tag.empty()) return skip("the image was given by digest: no tag");
        auto r = manifest_req("GET", tag, "");
        run.saved["manifest.get.tag"] = r;
        if (r.status != 200) return fail("GET manifests/" + tag + " answered " + describe(r));
        if (digest_of(r.body).str() != tag_target_digest)
            return fail("GET manifests/" + tag + " served " + digest_of(r.body).str() + ", not " +
                        tag_target_digest);
        return pass("GET manifests/" + tag + ": 200, " + std::to_string(r.body.size()) + " bytes");
    });
    const std::string digest = run.image ? run.image->digest.str() : "";
    run.check("pull.manifest.head-by-digest", [&] {
        if (!run.image) return no_image();
        auto r = manifest_req("HEAD", digest, "");
        run.saved["manifest.head.digest"] = r;
        if (r.status != 200)
            return fail("HEAD manifests/" + short_digest(digest) + " answered " + describe(r));
        return pass("HEAD manifests/" + short_digest(digest) + ": 200");
    });
    run.check("pull.manifest.get-by-digest", [&] {
        if (!run.image) return no_image();
        auto r = manifest_req("GET", digest, "");
        run.saved["manifest.get.digest"] = r;
        if (r.status != 200)
            return fail("GET manifests/" + short_digest(digest) + " answered " + describe(r));
        std::string actual = digest_of(r.body, run.image->digest.algorithm).str();
        if (actual != digest) return fail("GET by digest served bytes with digest " + actual);
        return pass("GET manifests/" + short_digest(digest) + ": 200, bytes match the digest");
    });
    run.check("pull.manifest.digest-header", [&] {
        if (!run.image) return no_image();
        auto it = run.saved.find("manifest.get.digest");
        if (it == run.saved.end()) it = run.saved.find("manifest.get.tag");
        http::Response r = it != run.saved.end() ? it->second : manifest_req("GET", digest, "");
        if (r.status != 200) return skip("the manifest GET failed: " + describe(r));
        std::string dcd = r.header("Docker-Content-Digest");
        if (dcd.empty()) return fail("GET manifest has no Docker-Content-Digest header");
        return pass("Docker-Content-Digest: " + short_digest(dcd));
    });
    run.check("pull.manifest.digest-matches", [&] {
        if (!run.image) return no_image();
        int judged = 0;
        for (const auto& [key, expect] :
             std::vector<std::pair<std::string, std::string>>{{"manifest.get.tag", tag_target_digest},
                                                              {"manifest.head.tag", tag_target_digest},
                                                              {"manifest.get.digest", digest},
                                                              {"manifest.head.digest", digest}}) {
            auto it = run.saved.find(key);
            if (it == run.saved.end() || it->second.status != 200) continue;
            std::string dcd = it->second.header("Docker-Content-Digest");
            if (dcd.empty()) continue;
            ++judged;
            std::string actual =
                key.find(".get.") != std::string::npos ? digest_of(it->second.body).str() : expect;
            if (dcd != actual)
                return fail((key.find(".get.") != std::string::npos ? "GET" : "HEAD") + std::string(" by ") +
                            (key.find("tag") != std::string::npos ? "tag" : "digest") +
                            ": Docker-Content-Digest " + dcd + " but the bytes are " + actual);
        }
        if (judged == 0)
            return skip("no Docker-Content-Digest header to compare (see pull.manifest.digest-header)");
        return pass(std::to_string(judged) + " answer(s): Docker-Content-Digest equals the bytes' digest");
    });
    run.check("pull.manifest.content-type", [&] {
        if (!run.image) return no_image();
        auto it = run.saved.find("manifest.get.digest");
        http::Response r = it != run.saved.end() ? it->second : manifest_req("GET", digest, "");
        if (r.status != 200) return skip("the manifest GET failed: " + describe(r));
        std::string ct = content_type_base(r.header("Content-Type"));
        std::string declared = json_media_type(r.body);
        if (declared.empty()) declared = run.image->media_type;
        if (ct != declared)
            return fail("Content-Type \"" + ct + "\" but the manifest's mediaType is " + declared);
        return pass("Content-Type " + ct);
    });
    auto negotiate = [&](const std::optional<TestManifest>& m, const std::string& accept,
                         const std::string& what) {
        if (!m)
            return skip(
                "no " + what + " to ask for (" +
                (run.target.push ? "it was not pushed" : "push one with --push, or give one with --image") +
                ")");
        auto r = p.api(
            [&] {
                auto q = request("GET", "/v2/" + m->repository + "/manifests/" + m->digest.str());
                q.headers.emplace_back("Accept", accept);
                return q;
            }(),
            scope_of(m->repository), 4 * 1024 * 1024);
        if (r.status != 200) return fail("GET with Accept: " + accept + " answered " + describe(r));
        std::string ct = content_type_base(r.header("Content-Type"));
        if (ct != m->media_type) return fail("asked for " + what + ", served Content-Type " + ct);
        if (digest_of(r.body) != m->digest) return fail("asked for " + what + ", served other bytes");
        return pass(what + " served as " + ct);
    };
    run.check("pull.manifest.negotiation.oci", [&] {
        std::optional<TestManifest> m;
        if (run.image && run.image->media_type == media_type::kOciManifest) m = run.image;
        return negotiate(m, std::string(media_type::kOciManifest) + ", " + std::string(media_type::kOciIndex),
                         "an OCI manifest");
    });
    run.check("pull.manifest.negotiation.docker", [&] {
        return negotiate(
            run.docker_image,
            std::string(media_type::kDockerManifest) + ", " + std::string(media_type::kDockerManifestList),
            "a Docker schema 2 manifest");
    });
    run.check("pull.manifest.negotiation.index", [&] {
        std::string accept =
            run.index && run.index->media_type == media_type::kDockerManifestList
                ? std::string(media_type::kDockerManifestList) + ", " +
                      std::string(media_type::kDockerManifest)
                : std::string(media_type::kOciIndex) + ", " + std::string(media_type::kOciManifest);
        return negotiate(run.index, accept, "an index");
    });

    // Blobs.
    auto blob_url = [&](const std::string& d) {
        return "/v2/" + (run.blob ? run.blob->repository : repo) + "/blobs/" + d;
    };
    const std::string missing = "sha256:" + random_hex(32);
    run.check("pull.blob.head", [&] {
        if (!run.blob) return run.image ? skip("the image has no blob") : no_image();
        auto r = p.api(request("HEAD", blob_url(run.blob->descriptor.digest.str())), scope);
        run.saved["blob.head"] = r;
        if (r.status != 200) return fail("HEAD blob answered " + describe(r));
        std::string len = r.header("Content-Length");
        if (!len.empty() && len != std::to_string(run.blob->descriptor.size))
            return fail("HEAD blob: Content-Length " + len + ", the blob has " +
                        std::to_string(run.blob->descriptor.size));
        return pass("HEAD blob " + short_digest(run.blob->descriptor.digest.str()) +
                    ": 200, Content-Length " + len);
    });
    run.check("pull.blob.get", [&] {
        if (!run.blob) return run.image ? skip("the image has no blob") : no_image();
        auto req = request("GET", blob_url(run.blob->descriptor.digest.str()));
        req.follow_redirects = false;
        auto r = p.api(req, scope, kReadWhole);
        run.saved["blob.get.raw"] = r;
        if (r.status >= 300 && r.status < 400) {
            auto follow = request("GET", blob_url(run.blob->descriptor.digest.str()));
            r = p.api(follow, scope, kReadWhole);
        }
        run.saved["blob.get"] = r;
        if (r.status != 200) return fail("GET blob answered " + describe(r));
        if (run.blob->descriptor.size <= kReadWhole &&
            digest_of(r.body).str() != run.blob->descriptor.digest.str())
            return fail("GET blob served bytes with digest " + digest_of(r.body).str());
        if (run.blob->bytes.empty()) run.blob->bytes = r.body;
        return pass("GET blob: 200, " + std::to_string(r.body.size()) + " bytes matching the digest");
    });
    run.check("pull.blob.head-missing", [&] {
        auto r = p.api(request("HEAD", blob_url(missing)), scope);
        if (r.status == 404) return pass("HEAD of a missing blob: 404");
        return fail("HEAD of a missing blob answered " + describe(r) + " instead of 404");
    });
    http::Response missing_get;
    run.check("pull.blob.get-missing", [&] {
        missing_get = p.api(request("GET", blob_url(missing)), scope);
        if (missing_get.status == 404) return pass("GET of a missing blob: 404");
        return fail("GET of a missing blob answered " + describe(missing_get) + " instead of 404");
    });

    // Ranges: a blob of at least 1500 bytes whose content is known.
    auto ranged = [&](const std::string& range, std::uint64_t from, std::uint64_t to) -> Verdict {
        if (!run.blob) return run.image ? skip("the image has no blob") : no_image();
        const std::uint64_t size = run.blob->descriptor.size;
        if (size < 1500) return skip("the largest blob has " + std::to_string(size) + " bytes (1500 needed)");
        auto req = request("GET", blob_url(run.blob->descriptor.digest.str()));
        req.headers.emplace_back("Range", "bytes=" + range);
        http::Response r;
        try {
            r = p.api(req, scope, kReadWhole);
        } catch (const Failure& f) {
            return fail("Range: bytes=" + range + ": the answer broke HTTP framing (" + f.error().message +
                        ")");
        }
        if (r.status == 200) return fail("Range: bytes=" + range + " was ignored (200, the whole blob)");
        if (r.status != 206) return fail("Range: bytes=" + range + " answered " + describe(r));
        std::string want_cr =
            "bytes " + std::to_string(from) + "-" + std::to_string(to) + "/" + std::to_string(size);
        std::string cr = r.header("Content-Range");
        if (cr != want_cr) return fail("Content-Range \"" + cr + "\", expected \"" + want_cr + "\"");
        if (r.body.size() != to - from + 1)
            return fail("206 with " + std::to_string(r.body.size()) + " bytes, expected " +
                        std::to_string(to - from + 1));
        if (!run.blob->bytes.empty() && run.blob->bytes.substr(from, to - from + 1) != r.body)
            return fail("206 with the right length but other bytes than the blob's " + std::to_string(from) +
                        "-" + std::to_string(to));
        return pass("206, " + want_cr);
    };
    const std::uint64_t size = run.blob ? run.blob->descriptor.size : 0;
    run.check("pull.blob.range.bounded", [&] { return ranged("500-1499", 500, 1499); });
    run.check("pull.blob.range.open-ended", [&] { return ranged("500-", 500, size - 1); });
    run.check("pull.blob.range.suffix", [&] { return ranged("-500", size - 500, size - 1); });
    run.check("pull.blob.range.beyond-end", [&] {
        if (!run.blob) return run.image ? skip("the image has no blob") : no_image();
        auto req = request("GET", blob_url(run.blob->descriptor.digest.str()));
        req.headers.emplace_back("Range", "bytes=" + std::to_string(size + 100) + "-");
        http::Response r;
        try {
            r = p.api(req, scope, kReadWhole);
        } catch (const Failure& f) {
            // registry:2 2.8 sends its 416 with the whole blob's Content-Length and a short body.
            return fail("a range past the end: the answer broke HTTP framing (" + f.error().message +
                        "), e.g. a 416 whose Content-Length is not its body's");
        }
        if (r.status == 416) {
            std::string cr = r.header("Content-Range");
            if (cr != "bytes */" + std::to_string(size))
                return fail("416 with Content-Range \"" + cr + "\", expected \"bytes */" +
                            std::to_string(size) + "\"");
            return pass("416 with Content-Range: " + cr);
        }
        if (r.status == 200) return fail("a range past the end was ignored (200, the whole blob)");
        return fail("a range past the end answered " + describe(r) + " instead of 416");
    });
    run.check("pull.blob.range.invalid", [&] {
        if (!run.blob) return run.image ? skip("the image has no blob") : no_image();
        auto req = request("GET", blob_url(run.blob->descriptor.digest.str()));
        req.headers.emplace_back("Range", "bytes=boxtool");
        http::Response r;
        try {
            r = p.api(req, scope, kReadWhole);
        } catch (const Failure& f) {
            return fail("an invalid Range: the answer broke HTTP framing (" + f.error().message + ")");
        }
        if (r.status == 200 && r.body.size() == size)
            return pass("an invalid Range is ignored: 200 with the whole blob");
        if (r.status == 416) return pass("an invalid Range is refused: 416");
        return fail("Range: bytes=boxtool answered " + describe(r));
    });

    // Error bodies.
    run.check("pull.errors.manifest-unknown", [&] {
        auto r = p.api(
            [&] {
                auto q = request("GET", "/v2/" + repo + "/manifests/boxtool-missing-" + random_hex(6));
                q.headers.emplace_back("Accept", accept_all_manifests());
                return q;
            }(),
            scope);
        if (r.status != 404) return fail("a missing tag answered " + describe(r) + " instead of 404");
        std::string code = error_code_of(r.body);
        if (code == "MANIFEST_UNKNOWN") return pass("404 MANIFEST_UNKNOWN");
        return fail("404 with " + (code.empty() ? std::string("no error code in its body") : "code " + code) +
                    ", not MANIFEST_UNKNOWN");
    });
    run.check("pull.errors.blob-unknown", [&] {
        http::Response r = missing_get.status ? missing_get : p.api(request("GET", blob_url(missing)), scope);
        if (r.status != 404) return fail("a missing blob answered " + describe(r) + " instead of 404");
        std::string code = error_code_of(r.body);
        if (code == "BLOB_UNKNOWN") return pass("404 BLOB_UNKNOWN");
        return fail("404 with " + (code.empty() ? std::string("no error code in its body") : "code " + code) +
                    ", not BLOB_UNKNOWN");
    });
    run.check("pull.errors.name-unknown", [&] {
        std::string missing_repo = run.target.name_space + "/boxtool-missing-" + random_hex(6);
        auto r = p.api(request("GET", "/v2/" + missing_repo + "/tags/list"), scope_of(missing_repo));
        if (r.status == 401 || r.status == 403)
            return skip("no rights on a missing repository (HTTP " + std::to_string(r.status) +
                        "), so it cannot be told from a forbidden one");
        if (r.status != 404)
            return fail("tags of a missing repository answered " + describe(r) + " instead of 404");
        std::string code = error_code_of(r.body);
        if (code == "NAME_UNKNOWN") return pass("404 NAME_UNKNOWN");
        return fail("404 with " + (code.empty() ? std::string("no error code in its body") : "code " + code) +
                    ", not NAME_UNKNOWN");
    });
    run.check("pull.errors.digest-invalid", [&] {
        auto r = p.api(request("GET", "/v2/" + repo + "/manifests/sha256:boxtool"), scope);
        std::string code = error_code_of(r.body);
        if (r.status == 400 &&
            (code == "DIGEST_INVALID" || code == "MANIFEST_INVALID" || code == "TAG_INVALID"))
            return pass("400 " + code);
        if (r.status == 404 && !code.empty())
            return pass("404 " + code + " (the malformed digest is treated as unknown)");
        return fail("a malformed digest answered " + describe(r));
    });
    run.check("pull.errors.format", [&] {
        static const std::vector<std::string> known = {
            "BLOB_UNKNOWN",     "BLOB_UPLOAD_INVALID",   "BLOB_UPLOAD_UNKNOWN",
            "DIGEST_INVALID",   "MANIFEST_BLOB_UNKNOWN", "MANIFEST_INVALID",
            "MANIFEST_UNKNOWN", "NAME_INVALID",          "NAME_UNKNOWN",
            "SIZE_INVALID",     "UNAUTHORIZED",          "DENIED",
            "UNSUPPORTED",      "TOOMANYREQUESTS",       "MANIFEST_UNVERIFIED",
            "TAG_INVALID",      "RANGE_INVALID",         "PAGINATION_NUMBER_INVALID",
            "UNKNOWN"};
        int judged = 0;
        for (const auto& e : p.exchanges()) {
            // Token services, HEAD answers (no body), range refusals (served by the storage layer)
            // and rate limiting (often a proxy's) are judged elsewhere.
            if (e.token_service || e.method == "HEAD" || e.status < 400 || e.status == 416 || e.status == 429)
                continue;
            ++judged;
            if (e.body.empty())
                return fail(e.method + " " + e.url + " answered " + std::to_string(e.status) +
                            " without an error body");
            std::string code = error_code_of(e.body);
            if (code.empty())
                return fail(e.method + " " + e.url + " answered " + std::to_string(e.status) +
                            " with a body that is not {\"errors\":[{\"code\":...}]}");
            bool ok = false;
            for (const auto& k : known) ok = ok || k == code;
            if (!ok) return fail(e.method + " " + e.url + ": unknown error code " + code);
        }
        if (judged == 0) return skip("no error answer was seen");
        return pass(std::to_string(judged) + " error answer(s), each a spec error document");
    });
}

}  // namespace boxtool::checks
