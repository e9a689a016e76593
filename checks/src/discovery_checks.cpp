// discovery.*: tag lists with n, last and Link pages; the referrers API or its fallback tag.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>

#include "registry/upload.hpp"
#include "run_context.hpp"

namespace boxtool::checks {
namespace {

struct TagPage {
    bool ok = false;
    std::string name;
    std::vector<std::string> tags;
    std::string link;
    std::string error;
};

TagPage read_page(const http::Response& r) {
    TagPage page;
    if (r.status != 200) {
        page.error = describe(r);
        return page;
    }
    try {
        auto doc = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
        page.name = doc->optValue<std::string>("name", "");
        if (auto tags = doc->getArray("tags"))
            for (std::size_t i = 0; i < tags->size(); ++i)
                page.tags.push_back(tags->getElement<std::string>(static_cast<unsigned>(i)));
        page.link = registry::next_link(r.header("Link"));
        page.ok = true;
    } catch (...) {
        page.error = "the body is not {\"name\":...,\"tags\":[...]}";
    }
    return page;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string digests_in(const std::string& body) {
    std::string out;
    try {
        auto doc = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
        if (auto m = doc->getArray("manifests"))
            for (std::size_t i = 0; i < m->size(); ++i)
                out += m->getObject(static_cast<unsigned>(i))->optValue<std::string>("digest", "") + " ";
    } catch (...) {
    }
    return out;
}

}  // namespace

void discovery_checks(Run& run) {
    Probe& p = run.probe;
    const std::string repo = run.image ? run.image->repository : run.target.name_space;
    const std::string scope = "repository:" + repo + ":pull";
    const std::string base = "/v2/" + repo + "/tags/list";
    TagPage all;
    bool listed = false;
    auto list_all = [&]() -> TagPage& {
        if (!listed) {
            all = read_page(p.api(request("GET", base), scope, 16 * 1024 * 1024));
            listed = true;
        }
        return all;
    };
    std::string tag =
        run.image && !run.image->tag.empty() ? run.image->tag : (run.index ? run.index->tag : "");

    run.check("discovery.tags.list", [&] {
        auto& page = list_all();
        if (!page.ok) return fail("GET tags/list: " + page.error);
        if (page.name != repo)
            return fail("tags/list names the repository \"" + page.name + "\", not " + repo);
        if (!tag.empty() && !contains(page.tags, tag) && page.link.empty())
            return fail("tags/list does not list the image's tag " + tag);
        return pass(std::to_string(page.tags.size()) + " tag(s)" +
                    (page.link.empty() ? "" : " on the first page"));
    });
    run.check("discovery.tags.n", [&] {
        auto page = read_page(p.api(request("GET", base + "?n=1"), scope));
        if (!page.ok) return fail("GET tags/list?n=1: " + page.error);
        if (page.tags.size() > 1)
            return fail("tags/list?n=1 answered " + std::to_string(page.tags.size()) + " tags");
        return pass("tags/list?n=1 answered " + std::to_string(page.tags.size()) + " tag");
    });
    run.check("discovery.tags.last", [&] {
        auto& everything = list_all();
        if (!everything.ok) return fail("GET tags/list: " + everything.error);
        if (everything.tags.size() < 2)
            return skip("the repository has fewer than 2 tags (push some, or use --push)");
        std::vector<std::string> sorted = everything.tags;
        std::sort(sorted.begin(), sorted.end());
        const std::string& last = sorted.front();
        auto page = read_page(p.api(request("GET", base + "?n=1000&last=" + http::url_encode(last)), scope));
        if (!page.ok) return fail("GET tags/list?last=" + last + ": " + page.error);
        for (const auto& t : page.tags)
            if (t <= last)
                return fail("tags/list?last=" + last + " answered \"" + t + "\", which is not after it");
        if (page.tags.empty())
            return fail("tags/list?last=" + last + " answered no tag, though " + sorted[1] + " follows it");
        return pass("tags/list?last=" + last + " answered " + std::to_string(page.tags.size()) +
                    " later tag(s)");
    });
    run.check("discovery.tags.link", [&] {
        auto& everything = list_all();
        if (!everything.ok) return fail("GET tags/list: " + everything.error);
        if (everything.tags.size() < 2 && everything.link.empty())
            return skip("the repository has fewer than 2 tags (push some, or use --push)");
        auto first = read_page(p.api(request("GET", base + "?n=1"), scope));
        if (!first.ok) return fail("GET tags/list?n=1: " + first.error);
        if (first.link.empty())
            return fail("tags/list?n=1 answered a partial page without Link: <...>; rel=\"next\"");
        std::vector<std::string> collected = first.tags;
        std::string next = first.link;
        int pages = 1;
        while (!next.empty() && pages < 1000) {
            auto page = read_page(p.api(request("GET", next), scope));
            if (!page.ok) return fail("following Link " + next + ": " + page.error);
            if (page.tags.empty() && !page.link.empty())
                return fail("Link " + next + " led to an empty page that links on");
            collected.insert(collected.end(), page.tags.begin(), page.tags.end());
            next = page.link;
            ++pages;
        }
        std::vector<std::string> a = collected, b = everything.tags;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        if (everything.link.empty() && a != b)
            return fail("the Link pages gave " + std::to_string(a.size()) + " tags, the full list " +
                        std::to_string(b.size()));
        return pass(std::to_string(pages) + " pages of 1 tag through Link headers");
    });
    auto referrers_of = [&](const Digest& subject) {
        return p.api(request("GET", "/v2/" + repo + "/referrers/" + subject.str()), scope);
    };
    run.check("discovery.referrers", [&] {
        if (!run.image)
            return skip(run.no_image_reason.empty() ? "no image to ask about" : run.no_image_reason);
        auto r = referrers_of(run.image->digest);
        if (r.status == 200) {
            std::string ct = r.header("Content-Type");
            if (ct.find(std::string(media_type::kOciIndex)) == std::string::npos)
                return fail("the referrers API answered 200 with Content-Type \"" + ct +
                            "\", not an OCI index");
            return pass("the referrers API answers an OCI index");
        }
        if (r.status != 404) return fail("GET referrers answered " + describe(r));
        auto fb = p.api(
            [&] {
                auto q = request("GET", "/v2/" + repo + "/manifests/sha256-" + run.image->digest.hex);
                q.headers.emplace_back("Accept", std::string(media_type::kOciIndex));
                return q;
            }(),
            scope);
        if (fb.status == 200 || (fb.status == 404 && error_code_of(fb.body) == "MANIFEST_UNKNOWN"))
            return pass("no referrers API (404); the fallback tag sha256-" +
                        run.image->digest.hex.substr(0, 12) + "... answers " + std::to_string(fb.status));
        return fail("no referrers API (404), and the fallback tag answered " + describe(fb));
    });
    run.check("discovery.referrers.listed", [&] {
        if (!run.artifact || !run.image)
            return fail("no artifact was pushed: " +
                        (run.seed_error.empty() ? "see push.manifest.artifact-subject" : run.seed_error));
        if (run.referrers_api) {
            auto r = referrers_of(run.image->digest);
            if (r.status == 200 && digests_in(r.body).find(run.artifact->str()) != std::string::npos)
                return pass("the referrers API lists the artifact");
            return fail("the referrers API (announced by OCI-Subject) does not list the artifact: " +
                        describe(r));
        }
        if (run.fallback_tag.empty())
            return fail("no referrers API and the fallback tag could not be written");
        auto r = p.api(
            [&] {
                auto q = request("GET", "/v2/" + repo + "/manifests/" + run.fallback_tag);
                q.headers.emplace_back("Accept", std::string(media_type::kOciIndex));
                return q;
            }(),
            scope);
        if (r.status == 200 && digests_in(r.body).find(run.artifact->str()) != std::string::npos)
            return pass("no referrers API: the fallback tag " + run.fallback_tag.substr(0, 19) +
                        "... lists the artifact");
        return fail("the fallback tag does not list the artifact: " + describe(r));
    });
}

}  // namespace boxtool::checks
