// management.*: deletes, run last, on what the run pushed; then everything else it pushed goes.
#include <algorithm>

#include "run_context.hpp"

namespace boxtool::checks {
namespace {

bool disabled(int status) {
    return status == 400 || status == 405;
}

}  // namespace

void management_checks(Run& run) {
    Probe& p = run.probe;
    const std::string& ns = run.target.name_space;
    auto scope_for = [&](const std::string& repo) { return "repository:" + repo + ":pull,push,delete"; };
    auto manifest_url = [&](const std::string& repo, const std::string& ref) {
        return "/v2/" + repo + "/manifests/" + ref;
    };
    std::vector<std::string> deleted_manifests;
    std::vector<std::string> deleted_blobs;
    bool deletes_disabled = false;

    run.check("management.tag.delete", [&] {
        if (run.pushed_tags.size() < 2) return fail("the run has no spare tag to delete: " + run.seed_error);
        std::string tag = run.pushed_tags[2 < run.pushed_tags.size() ? 2 : 1];
        auto r = p.api(request("DELETE", manifest_url(ns, tag)), scope_for(ns));
        if (disabled(r.status))
            return skip("tag deletion is disabled (" + describe(r) + "), which the spec allows");
        if (r.status != 202) return fail("DELETE manifests/" + tag + " answered " + describe(r));
        auto after = p.api(request("GET", manifest_url(ns, tag)), scope_for(ns));
        if (after.status != 404) return fail("the deleted tag still answers " + describe(after));
        // Registries that delete a tag by deleting its manifest take the other tags with it.
        return pass("DELETE by tag 202, then 404");
    });
    run.check("management.manifest.delete", [&] {
        if (!run.artifact) return fail("no pushed artifact to delete: " + run.seed_error);
        auto r = p.api(request("DELETE", manifest_url(ns, run.artifact->str())), scope_for(ns));
        if (disabled(r.status)) {
            deletes_disabled = true;
            return skip("manifest deletion is disabled (" + describe(r) + "), which the spec allows");
        }
        if (r.status != 202) return fail("DELETE manifest by digest answered " + describe(r));
        deleted_manifests.push_back(run.artifact->str());
        auto after = p.api(request("GET", manifest_url(ns, run.artifact->str())), scope_for(ns));
        if (after.status != 404) return fail("the deleted manifest still answers " + describe(after));
        return pass("DELETE by digest 202, then 404");
    });
    run.check("management.blob.delete", [&] {
        auto it = std::find_if(run.pushed_blobs.begin(), run.pushed_blobs.end(), [&](const PushedBlob& b) {
            return b.repository == ns && (!run.blob || b.digest.str() != run.blob->descriptor.digest.str());
        });
        if (it == run.pushed_blobs.end()) return fail("no pushed blob to delete: " + run.seed_error);
        auto url = "/v2/" + ns + "/blobs/" + it->digest.str();
        auto r = p.api(request("DELETE", url), scope_for(ns));
        if (disabled(r.status)) {
            deletes_disabled = true;
            return skip("blob deletion is disabled (" + describe(r) + "), which the spec allows");
        }
        if (r.status != 202) return fail("DELETE blob answered " + describe(r));
        deleted_blobs.push_back(ns + "@" + it->digest.str());
        auto after = p.api(request("GET", url), scope_for(ns));
        if (after.status != 404) return fail("the deleted blob still answers " + describe(after));
        return pass("DELETE blob 202, then 404");
    });
    run.check("management.cleanup", [&] {
        if (run.pushed_manifests.empty() && run.pushed_blobs.empty()) return pass("nothing was pushed");
        int left = 0, removed = 0;
        std::string first_refusal;
        auto remove = [&](const std::string& url, const std::string& repo) {
            auto r = p.api(request("DELETE", url), scope_for(repo));
            if (r.status == 202 || r.status == 404) {
                ++removed;
            } else {
                ++left;
                if (first_refusal.empty()) first_refusal = describe(r);
            }
        };
        for (auto it = run.pushed_manifests.rbegin(); it != run.pushed_manifests.rend(); ++it) {
            if (std::find(deleted_manifests.begin(), deleted_manifests.end(), it->digest.str()) !=
                deleted_manifests.end())
                continue;
            remove(manifest_url(it->repository, it->digest.str()), it->repository);
        }
        for (const auto& b : run.pushed_blobs) {
            if (std::find(deleted_blobs.begin(), deleted_blobs.end(), b.repository + "@" + b.digest.str()) !=
                deleted_blobs.end())
                continue;
            remove("/v2/" + b.repository + "/blobs/" + b.digest.str(), b.repository);
        }
        if (left == 0)
            return pass("removed " + std::to_string(removed) + " manifest(s) and blob(s) the run pushed");
        std::string tags;
        for (const auto& t : run.pushed_tags) tags += (tags.empty() ? "" : ", ") + t;
        return warn(std::to_string(left) + " item(s) could not be removed (" + first_refusal +
                    (deletes_disabled ? ", deletes disabled" : "") + "); left behind: tags " + tags + " in " +
                    ns);
    });
}

}  // namespace boxtool::checks
