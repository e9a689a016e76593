// behavior.*: what clients depend on beyond single answers: HEAD and GET agreeing, blob
// redirects that work without the registry's credentials, and 429 answers that say when to retry.
#include "run_context.hpp"

namespace boxtool::checks {

void behaviour_checks(Run& run) {
    Probe& p = run.probe;
    run.check("behavior.head-get-agree", [&] {
        int compared = 0;
        for (const auto& [head_key, get_key] :
             std::vector<std::pair<std::string, std::string>>{{"manifest.head.digest", "manifest.get.digest"},
                                                              {"manifest.head.tag", "manifest.get.tag"},
                                                              {"blob.head", "blob.get"}}) {
            auto h = run.saved.find(head_key);
            auto g = run.saved.find(get_key);
            if (h == run.saved.end() || g == run.saved.end()) continue;
            ++compared;
            const auto& head = h->second;
            const auto& get = g->second;
            std::string what = head_key.substr(0, head_key.find('.'));
            if (head.status != get.status)
                return fail(what + ": HEAD answered " + std::to_string(head.status) + ", GET " +
                            std::to_string(get.status));
            if (get.status != 200) continue;
            std::string len = head.header("Content-Length");
            if (!len.empty() && len != std::to_string(get.body.size()))
                return fail(what + ": HEAD says Content-Length " + len + ", GET sent " +
                            std::to_string(get.body.size()) + " bytes");
            if (head.header("Docker-Content-Digest") != get.header("Docker-Content-Digest"))
                return fail(what + ": Docker-Content-Digest differs (HEAD \"" +
                            head.header("Docker-Content-Digest") + "\", GET \"" +
                            get.header("Docker-Content-Digest") + "\")");
            if (what == "manifest" && head.header("Content-Type") != get.header("Content-Type"))
                return fail("manifest: Content-Type differs (HEAD \"" + head.header("Content-Type") +
                            "\", GET \"" + get.header("Content-Type") + "\")");
        }
        if (compared == 0)
            return skip(run.no_image_reason.empty() ? "no HEAD and GET pair to compare"
                                                    : run.no_image_reason);
        return pass(std::to_string(compared) + " HEAD/GET pair(s) agree");
    });
    run.check("behavior.blob-redirect", [&] {
        auto it = run.saved.find("blob.get.raw");
        if (it == run.saved.end())
            return skip(run.no_image_reason.empty() ? "no blob was read" : run.no_image_reason);
        const auto& r = it->second;
        if (r.status < 300 || r.status >= 400)
            return skip("blobs are served directly (HTTP " + std::to_string(r.status) + "), no redirect");
        std::string location = r.header("Location");
        if (location.empty()) return fail("HTTP " + std::to_string(r.status) + " without a Location");
        if (p.base_url().rfind("https://", 0) == 0 && location.rfind("http://", 0) == 0)
            return fail("the blob redirect downgrades to plain HTTP: " + location);
        if (location.front() == '/') location = p.base_url() + location;
        auto follow = p.raw(request("GET", location), 16 * 1024 * 1024);
        if (follow.status != 200)
            return fail("the redirect target answered " + describe(follow) +
                        " without the registry's Authorization");
        if (run.blob && run.blob->descriptor.size <= 16 * 1024 * 1024 &&
            digest_of(follow.body).str() != run.blob->descriptor.digest.str())
            return fail("the redirect target served other bytes than the blob");
        return pass("HTTP " + std::to_string(r.status) + " to " + location.substr(0, location.find('?')) +
                    ": 200 without Authorization");
    });
    run.check("behavior.retry-after", [&] {
        int seen = 0;
        for (const auto& e : p.exchanges()) {
            if (e.status != 429) continue;
            ++seen;
            if (!e.retry_after) return fail(e.method + " " + e.url + " answered 429 without Retry-After");
        }
        if (seen == 0) return skip("no 429 answer was seen");
        return pass(std::to_string(seen) + " 429 answer(s), each with Retry-After");
    });
}

}  // namespace boxtool::checks
