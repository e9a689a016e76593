// push.*: the write workflows. seed_image() pushes the image the pull checks then read (and its
// answers are judged by the push.manifest.* and push.blob.post-put checks); the other push checks
// use blobs of their own. Everything pushed is recorded for the clean-up.
#include <cstring>

#include "grammar.hpp"
#include "run_context.hpp"

namespace boxtool::checks {
namespace {

constexpr const char* kEmptyJson = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
constexpr const char* kArtifactType = "application/vnd.boxtool.conformance.test";

std::string random_bytes(std::size_t n) {
    std::string hex = random_hex(n);
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return out;
}

std::string with_query(const std::string& url, const std::string& q) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + q;
}

std::string uploads(const Run& run, const std::string& repo) {
    (void)run;
    return "/v2/" + repo + "/blobs/uploads/";
}

// POST then a monolithic PUT; returns the PUT's answer (or the POST's when it failed).
http::Response post_put(Run& run, const std::string& repo, const std::string& bytes,
                        const std::string& scope) {
    auto started = run.probe.api(request("POST", uploads(run, repo)), scope);
    if (started.status != 202 || started.header("Location").empty()) return started;
    auto put = request(
        "PUT", with_query(started.header("Location"), "digest=" + http::url_encode(digest_of(bytes).str())));
    put.body = bytes;
    put.content_type = "application/octet-stream";
    return run.probe.api(put, scope);
}

http::Response put_manifest(Run& run, const std::string& reference, const std::string& media,
                            const std::string& body) {
    auto put = request("PUT", "/v2/" + run.target.name_space + "/manifests/" + reference);
    put.body = body;
    put.content_type = media;
    return run.probe.api(put, run.push_scope);
}

std::string descriptor(const std::string& media, const std::string& digest, std::size_t size) {
    return "{\"mediaType\":\"" + media + "\",\"digest\":\"" + digest + "\",\"size\":" + std::to_string(size) +
           "}";
}

Verdict judge_manifest_put(const std::optional<http::Response>& r, const std::string& what,
                           const std::string& digest, const std::string& seed_error) {
    if (!r)
        return fail("the run could not get this far: " + (seed_error.empty() ? "not attempted" : seed_error));
    if (r->status != 201) return fail(what + " answered " + describe(*r) + " instead of 201");
    std::string dcd = r->header("Docker-Content-Digest");
    if (!dcd.empty() && dcd != digest)
        return fail(what + ": Docker-Content-Digest " + dcd + " is not " + digest);
    if (r->header("Location").empty()) return fail(what + " answered 201 without a Location");
    return pass(what + " answered 201, Location " + r->header("Location") +
                (dcd.empty() ? "" : ", digest confirmed"));
}

// An upload session for the status, out-of-order and cancel checks: POSTed, then one chunk.
struct OpenUpload {
    std::string location;
    std::string error;
    std::size_t sent = 0;
};

}  // namespace

void seed_image(Run& run) {
    const std::string& ns = run.target.name_space;
    const std::string tag = "boxtool-conformance-" + run.run_id;
    auto fail_seed = [&](const std::string& what, const http::Response& r) {
        run.seed_error = what + " answered " + describe(r);
        run.no_image_reason = "pushing the test image failed: " + run.seed_error;
    };
    std::string layer = random_bytes(4096);
    Digest layer_digest = digest_of(layer);
    std::string config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" +
        layer_digest.str() + "\"]},\"config\":{\"Labels\":{\"boxtool.conformance\":\"" + run.run_id + "\"}}}";
    Digest config_digest = digest_of(config);
    try {
        auto r = post_put(run, ns, layer, run.push_scope);
        run.seed_post_put = r;
        if (r.status != 201) return fail_seed("uploading the test layer", r);
        run.pushed_blobs.push_back({ns, layer_digest});
        r = post_put(run, ns, config, run.push_scope);
        if (r.status != 201) return fail_seed("uploading the test config", r);
        run.pushed_blobs.push_back({ns, config_digest});

        std::string oci =
            "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(media_type::kOciManifest) +
            "\",\"config\":" +
            descriptor(std::string(media_type::kOciConfig), config_digest.str(), config.size()) +
            ",\"layers\":[" +
            descriptor(std::string(media_type::kOciLayer), layer_digest.str(), layer.size()) +
            "],\"annotations\":{\"org.opencontainers.image.title\":\"boxtool conformance " + run.run_id +
            "\"}}";
        TestManifest m1{ns, tag, digest_of(oci), std::string(media_type::kOciManifest), oci};
        r = put_manifest(run, tag, m1.media_type, oci);
        run.seed_manifest_by_tag = r;
        if (r.status != 201) return fail_seed("PUT manifest " + tag, r);
        run.pushed_manifests.push_back(m1);
        run.pushed_tags.push_back(tag);
        run.image = m1;
        run.blob = TestBlob{
            ns, Descriptor{std::string(media_type::kOciLayer), layer_digest, layer.size(), {}, {}}, layer};
        // More tags, for the tag list pages.
        for (const char* suffix : {"-a", "-b"}) {
            r = put_manifest(run, tag + suffix, m1.media_type, oci);
            if (r.status != 201) return fail_seed("PUT manifest " + tag + suffix, r);
            run.pushed_tags.push_back(tag + suffix);
        }

        std::string docker =
            "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(media_type::kDockerManifest) +
            "\",\"config\":" +
            descriptor(std::string(media_type::kDockerConfig), config_digest.str(), config.size()) +
            ",\"layers\":[" +
            descriptor(std::string(media_type::kDockerLayer), layer_digest.str(), layer.size()) + "]}";
        TestManifest m2{ns, "", digest_of(docker), std::string(media_type::kDockerManifest), docker};
        r = put_manifest(run, m2.digest.str(), m2.media_type, docker);
        run.seed_manifest_by_digest = r;
        if (r.status == 201) {
            run.pushed_manifests.push_back(m2);
            run.docker_image = m2;
        }

        std::string index = "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(media_type::kOciIndex) +
                            "\",\"manifests\":[{\"mediaType\":\"" + std::string(media_type::kOciManifest) +
                            "\",\"digest\":\"" + m1.digest.str() +
                            "\",\"size\":" + std::to_string(oci.size()) +
                            ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
        TestManifest idx{ns, tag + "-index", digest_of(index), std::string(media_type::kOciIndex), index};
        r = put_manifest(run, idx.tag, idx.media_type, index);
        run.seed_index = r;
        if (r.status == 201) {
            run.pushed_manifests.push_back(idx);
            run.pushed_tags.push_back(idx.tag);
            run.index = idx;
        }

        // An artifact whose subject is the image: config is the empty JSON blob.
        if (!(run.probe.api(request("HEAD", "/v2/" + ns + "/blobs/" + kEmptyJson), run.push_scope).status ==
              200))
            post_put(run, ns, "{}", run.push_scope);
        std::string note = "boxtool conformance artifact " + run.run_id + "\n";
        r = post_put(run, ns, note, run.push_scope);
        if (r.status == 201) run.pushed_blobs.push_back({ns, digest_of(note)});
        std::string artifact =
            "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(media_type::kOciManifest) +
            "\",\"artifactType\":\"" + kArtifactType +
            "\",\"config\":" + descriptor("application/vnd.oci.empty.v1+json", kEmptyJson, 2) +
            ",\"layers\":[" + descriptor("text/plain", digest_of(note).str(), note.size()) +
            "],\"subject\":" +
            descriptor(std::string(media_type::kOciManifest), m1.digest.str(), oci.size()) + "}";
        TestManifest a{ns, "", digest_of(artifact), std::string(media_type::kOciManifest), artifact};
        r = put_manifest(run, a.digest.str(), a.media_type, artifact);
        run.seed_artifact = r;
        if (r.status != 201) return;
        run.pushed_manifests.push_back(a);
        run.artifact = a.digest;
        if (r.header("OCI-Subject") == m1.digest.str()) {
            run.referrers_api = true;
            return;
        }
        // No referrers API: the client maintains the fallback tag (an index of referrers).
        std::string fallback = "sha256-" + m1.digest.hex;
        auto get = request("GET", "/v2/" + ns + "/manifests/" + fallback);
        get.headers.emplace_back("Accept", std::string(media_type::kOciIndex));
        auto existing = run.probe.api(get, run.push_scope);
        std::string entries;
        if (existing.status == 200) {
            auto start = existing.body.find("\"manifests\":[");
            auto end = existing.body.rfind(']');
            if (start != std::string::npos && end != std::string::npos && end > start + 13)
                entries = existing.body.substr(start + 13, end - start - 13);
        }
        std::string entry = "{\"mediaType\":\"" + std::string(media_type::kOciManifest) + "\",\"digest\":\"" +
                            a.digest.str() + "\",\"size\":" + std::to_string(artifact.size()) +
                            ",\"artifactType\":\"" + kArtifactType + "\"}";
        std::string fb = "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(media_type::kOciIndex) +
                         "\",\"manifests\":[" + (entries.empty() ? "" : entries + ",") + entry + "]}";
        r = put_manifest(run, fallback, std::string(media_type::kOciIndex), fb);
        if (r.status == 201) {
            run.fallback_tag = fallback;
            // Only a fallback index the run created alone is removed again.
            if (entries.empty())
                run.pushed_manifests.push_back(
                    {ns, fallback, digest_of(fb), std::string(media_type::kOciIndex), fb});
        }
    } catch (const Failure& f) {
        run.seed_error = f.error().message;
        run.no_image_reason = "pushing the test image failed: " + run.seed_error;
    }
}

void push_checks(Run& run) {
    const std::string& ns = run.target.name_space;
    Probe& p = run.probe;
    const std::string mount_repo = ns + "/boxtool-mount-" + run.run_id;
    const std::string mount_scope = "repository:" + mount_repo + ":pull,push repository:" + ns + ":pull";
    const std::string mount_delete_scope = "repository:" + mount_repo + ":pull,push,delete";

    run.check("push.blob.post-put", [&] {
        if (!run.seed_post_put) return fail("not attempted: " + run.seed_error);
        const auto& r = *run.seed_post_put;
        if (r.status != 201) return fail("POST then PUT ended with " + describe(r) + " instead of 201");
        std::string dcd = r.header("Docker-Content-Digest");
        if (run.blob && !dcd.empty() && dcd != run.blob->descriptor.digest.str())
            return fail("the PUT answered Docker-Content-Digest " + dcd + ", not " +
                        run.blob->descriptor.digest.str());
        return pass("POST 202, PUT ?digest= 201" + std::string(dcd.empty() ? "" : ", digest confirmed"));
    });
    run.check("push.blob.monolithic-post", [&] {
        std::string bytes = random_bytes(1200);
        Digest d = digest_of(bytes);
        auto post = request("POST", uploads(run, ns) + "?digest=" + http::url_encode(d.str()));
        post.body = bytes;
        post.content_type = "application/octet-stream";
        auto r = p.api(post, run.push_scope);
        if (r.status == 201) {
            run.pushed_blobs.push_back({ns, d});
            return pass("a single POST with ?digest= stored the blob (201)");
        }
        if (r.status == 202) {
            if (!r.header("Location").empty()) p.api(request("DELETE", r.header("Location")), run.push_scope);
            return warn(
                "single-POST uploads are not supported: 202 opened an upload instead (allowed by the spec)");
        }
        return fail("a single POST with ?digest= answered " + describe(r));
    });
    run.check("push.blob.chunked", [&] {
        std::string bytes = random_bytes(3000);
        Digest d = digest_of(bytes);
        auto started = p.api(request("POST", uploads(run, ns)), run.push_scope);
        if (started.status != 202) return fail("POST answered " + describe(started));
        std::string loc = started.header("Location");
        for (std::size_t off = 0; off < bytes.size(); off += 1500) {
            auto patch = request("PATCH", loc);
            patch.body = bytes.substr(off, 1500);
            patch.content_type = "application/octet-stream";
            patch.headers.emplace_back("Content-Range",
                                       std::to_string(off) + "-" + std::to_string(off + 1499));
            auto r = p.api(patch, run.push_scope);
            if (r.status != 202)
                return fail("PATCH " + std::to_string(off) + "-" + std::to_string(off + 1499) + " answered " +
                            describe(r));
            std::string range = r.header("Range");
            std::string want = "0-" + std::to_string(off + 1499);
            if (range != want && range != "bytes=" + want)
                return fail("after a chunk, Range is \"" + range + "\", not " + want);
            if (!r.header("Location").empty()) loc = r.header("Location");
        }
        auto r =
            p.api(request("PUT", with_query(loc, "digest=" + http::url_encode(d.str()))), run.push_scope);
        if (r.status != 201) return fail("the closing PUT answered " + describe(r));
        run.pushed_blobs.push_back({ns, d});
        auto head = p.api(request("HEAD", "/v2/" + ns + "/blobs/" + d.str()), run.push_scope);
        if (head.status != 200)
            return fail("the chunked blob is not there afterwards: HEAD " + describe(head));
        return pass("POST, 2 PATCH chunks (Range 0-2999), PUT: 201, blob present");
    });

    OpenUpload open;
    auto open_upload = [&]() -> OpenUpload& {
        if (!open.location.empty() || !open.error.empty()) return open;
        auto started = p.api(request("POST", uploads(run, ns)), run.push_scope);
        if (started.status != 202) {
            open.error = "POST answered " + describe(started);
            return open;
        }
        auto patch = request("PATCH", started.header("Location"));
        patch.body = random_bytes(1000);
        patch.content_type = "application/octet-stream";
        patch.headers.emplace_back("Content-Range", "0-999");
        auto r = p.api(patch, run.push_scope);
        if (r.status != 202) {
            open.error = "PATCH answered " + describe(r);
            return open;
        }
        open.location = r.header("Location").empty() ? started.header("Location") : r.header("Location");
        open.sent = 1000;
        return open;
    };
    run.check("push.blob.chunked-out-of-order", [&] {
        // An upload of its own: a registry that ignores Content-Range appends the chunk, which
        // would spoil the shared upload the status and cancel checks read.
        auto started = p.api(request("POST", uploads(run, ns)), run.push_scope);
        if (started.status != 202) return fail("POST answered " + describe(started));
        auto first = request("PATCH", started.header("Location"));
        first.body = random_bytes(1000);
        first.content_type = "application/octet-stream";
        first.headers.emplace_back("Content-Range", "0-999");
        auto r1 = p.api(first, run.push_scope);
        if (r1.status != 202) return fail("the first chunk answered " + describe(r1));
        std::string loc = r1.header("Location").empty() ? started.header("Location") : r1.header("Location");
        auto patch = request("PATCH", loc);
        patch.body = random_bytes(500);
        patch.content_type = "application/octet-stream";
        patch.headers.emplace_back("Content-Range", "2000-2499");
        auto r = p.api(patch, run.push_scope);
        std::string next = r.header("Location").empty() ? loc : r.header("Location");
        p.api(request("DELETE", next), run.delete_scope);
        if (r.status == 416) return pass("a chunk at 2000 after 1000 bytes was refused with 416");
        if (r.status == 202)
            return fail(
                "a chunk at 2000 after 1000 bytes was accepted (202): Content-Range is ignored and the chunk "
                "appended");
        return fail("a chunk at 2000 after 1000 bytes answered " + describe(r) + " instead of 416");
    });
    run.check("push.blob.streamed", [&] {
        std::string bytes = random_bytes(2500);
        Digest d = digest_of(bytes);
        auto started = p.api(request("POST", uploads(run, ns)), run.push_scope);
        if (started.status != 202) return fail("POST answered " + describe(started));
        auto patch = request("PATCH", started.header("Location"));
        std::size_t at = 0;
        patch.body_reader = [&](char* data, std::size_t n) {
            std::size_t k = std::min<std::size_t>({n, bytes.size() - at, 700});
            std::memcpy(data, bytes.data() + at, k);
            at += k;
            return k;
        };
        patch.content_type = "application/octet-stream";
        auto r = p.api(patch, run.push_scope);
        if (r.status != 202)
            return fail("a streamed PATCH (chunked transfer encoding) answered " + describe(r));
        std::string loc = r.header("Location").empty() ? started.header("Location") : r.header("Location");
        auto put =
            p.api(request("PUT", with_query(loc, "digest=" + http::url_encode(d.str()))), run.push_scope);
        if (put.status != 201) return fail("the closing PUT answered " + describe(put));
        run.pushed_blobs.push_back({ns, d});
        return pass("a PATCH streamed without Content-Length, then PUT: 201");
    });
    run.check("push.upload.status", [&] {
        auto& u = open_upload();
        if (!u.error.empty()) return fail(u.error);
        auto r = p.api(request("GET", u.location), run.push_scope);
        if (r.status != 204) return fail("GET on the upload answered " + describe(r) + " instead of 204");
        std::string range = r.header("Range");
        if (range != "0-999" && range != "bytes=0-999")
            return fail("the upload status says Range \"" + range + "\", not 0-999");
        if (r.header("Location").empty()) return fail("the upload status has no Location");
        return pass("204 with Range: " + range + " and a Location");
    });
    run.check("push.upload.cancel", [&] {
        auto& u = open_upload();
        if (!u.error.empty()) return fail(u.error);
        auto r = p.api(request("DELETE", u.location), run.delete_scope);
        if (r.status != 204 && r.status != 202 && r.status != 200)
            return fail("DELETE on the upload answered " + describe(r));
        auto after = p.api(request("GET", u.location), run.push_scope);
        if (after.status != 404) return fail("the cancelled upload still answers " + describe(after));
        std::string code = error_code_of(after.body);
        if (code != "BLOB_UPLOAD_UNKNOWN")
            return fail("the cancelled upload answers 404 with code \"" + code +
                        "\", not BLOB_UPLOAD_UNKNOWN");
        return pass("DELETE " + std::to_string(r.status) + ", then 404 BLOB_UPLOAD_UNKNOWN");
    });
    run.check("push.blob.mount", [&] {
        if (!run.blob || run.blob->repository != ns)
            return fail("no pushed blob to mount: " + run.seed_error);
        Digest d = run.blob->descriptor.digest;
        auto r = p.api(request("POST", uploads(run, mount_repo) + "?mount=" + http::url_encode(d.str()) +
                                           "&from=" + http::url_encode(ns)),
                       mount_scope);
        if (r.status == 201) {
            run.pushed_blobs.push_back({mount_repo, d});
            return pass("mounted " + short_digest(d.str()) + " from " + ns + " into " + mount_repo +
                        " (201)");
        }
        if (r.status == 202) {
            if (!r.header("Location").empty())
                p.api(request("DELETE", r.header("Location")), mount_delete_scope);
            return warn("the mount was refused: 202 opened an upload instead (clients then copy the blob)");
        }
        return fail("a mount answered " + describe(r));
    });
    run.check("push.blob.mount-no-from", [&] {
        if (!run.blob) return fail("no pushed blob to mount: " + run.seed_error);
        Digest d = run.blob->descriptor.digest;
        auto r = p.api(request("POST", uploads(run, mount_repo) + "?mount=" + http::url_encode(d.str())),
                       mount_scope);
        if (r.status == 201) {
            run.pushed_blobs.push_back({mount_repo, d});
            return pass("mounted without from (201)");
        }
        if (r.status == 202) {
            if (!r.header("Location").empty())
                p.api(request("DELETE", r.header("Location")), mount_delete_scope);
            return pass("202: an upload was opened instead, as the spec allows");
        }
        return fail("?mount= without from answered " + describe(r));
    });
    run.check("push.blob.empty", [&] {
        auto r = post_put(run, ns, "", run.push_scope);
        if (r.status != 201) return fail("uploading the empty blob answered " + describe(r));
        Digest d = digest_of("");
        auto head = p.api(request("HEAD", "/v2/" + ns + "/blobs/" + d.str()), run.push_scope);
        if (head.status != 200) return fail("HEAD of the empty blob answered " + describe(head));
        std::string len = head.header("Content-Length");
        if (!len.empty() && len != "0") return fail("the empty blob has Content-Length " + len);
        return pass("the empty blob uploads (201) and is there with Content-Length 0");
    });
    run.check("push.errors.digest-invalid", [&] {
        std::string bytes = "boxtool conformance " + random_hex(8);
        Digest wrong = digest_of(bytes + "x");
        auto started = p.api(request("POST", uploads(run, ns)), run.push_scope);
        if (started.status != 202) return fail("POST answered " + describe(started));
        auto put =
            request("PUT", with_query(started.header("Location"), "digest=" + http::url_encode(wrong.str())));
        put.body = bytes;
        put.content_type = "application/octet-stream";
        auto r = p.api(put, run.push_scope);
        if (r.status == 201) {
            run.pushed_blobs.push_back({ns, wrong});
            return fail("an upload whose bytes do not match ?digest= was stored (201)");
        }
        std::string code = error_code_of(r.body);
        if (r.status == 400 && code == "DIGEST_INVALID") return pass("400 DIGEST_INVALID");
        return fail("a wrong digest answered " + describe(r) + " instead of 400 DIGEST_INVALID");
    });
    run.check("push.manifest.put-by-tag", [&] {
        return judge_manifest_put(run.seed_manifest_by_tag, "PUT manifest by tag",
                                  run.image ? run.image->digest.str() : "", run.seed_error);
    });
    run.check("push.manifest.put-by-digest", [&] {
        return judge_manifest_put(run.seed_manifest_by_digest, "PUT Docker manifest by digest",
                                  run.docker_image ? run.docker_image->digest.str() : "", run.seed_error);
    });
    run.check("push.manifest.index", [&] {
        return judge_manifest_put(run.seed_index, "PUT index", run.index ? run.index->digest.str() : "",
                                  run.seed_error);
    });
    run.check("push.manifest.artifact-subject", [&] {
        auto v = judge_manifest_put(run.seed_artifact, "PUT artifact with subject",
                                    run.artifact ? run.artifact->str() : "", run.seed_error);
        if (v.outcome != Outcome::Pass) return v;
        v.evidence += run.referrers_api
                          ? "; OCI-Subject confirms the referrers API"
                          : (run.fallback_tag.empty()
                                 ? "; no OCI-Subject, and the fallback tag could not be written"
                                 : "; no OCI-Subject: fallback tag " + run.fallback_tag + " written");
        return v;
    });
}

}  // namespace boxtool::checks
