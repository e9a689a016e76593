#include "boxtool/policy.hpp"

#include <algorithm>

namespace boxtool {

bool is_insecure_registry(std::string_view registry, const std::vector<std::string>& insecure) {
    return registry_listed(registry, insecure);
}

bool registry_listed(std::string_view registry, const std::vector<std::string>& list) {
    std::string reg = normalize_registry(registry);
    std::string host = reg;
    if (!reg.empty() && reg.front() == '[') {
        if (auto close = reg.find("]:"); close != std::string::npos) host = reg.substr(0, close + 1);
    } else if (auto colon = reg.rfind(':'); colon != std::string::npos) {
        host = reg.substr(0, colon);
    }
    return std::any_of(list.begin(), list.end(), [&](const std::string& entry) {
        std::string e = normalize_registry(entry);
        return e == reg || e == host;
    });
}

Result<std::vector<Candidate>> DefaultPolicy::select(const Reference& ref, const PolicyContext& ctx) {
    std::vector<Candidate> out;
    auto add = [&](const std::string& registry, std::string reason) {
        std::string reg = normalize_registry(registry);
        for (const auto& c : out)
            if (c.reference.registry == reg) return;
        out.push_back({ref.on(reg), std::move(reason), is_insecure_registry(reg, ctx.insecure_registries)});
    };
    if (ref.qualified) {
        add(ref.registry, "the reference names its registry");
        return out;
    }
    for (std::size_t i = 0; i < ctx.registries.size(); ++i)
        add(ctx.registries[i],
            "search registry " + std::to_string(i + 1) + " of " + std::to_string(ctx.registries.size()));
    add(std::string(kDockerHub), "docker.io is the last resort for unqualified references");
    return out;
}

std::vector<Candidate> usable_candidates(const Reference& ref, std::vector<Candidate> candidates) {
    if (ref.digest) return candidates;
    std::erase_if(candidates, [](const Candidate& c) { return c.digest_only; });
    return candidates;
}

std::string explain_candidates(const std::vector<Candidate>& candidates) {
    std::string out;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& c = candidates[i];
        out += std::to_string(i + 1) + ". " + c.reference.str();
        std::string notes;
        auto note = [&](const std::string& n) { notes += (notes.empty() ? "" : ", ") + n; };
        if (!c.mirror_of.empty()) note("mirror of " + c.mirror_of);
        if (!c.credentials_from.empty()) note("receives " + c.credentials_from + " credentials");
        if (c.digest_only) note("digest pulls only");
        if (c.insecure) note("insecure");
        if (!notes.empty()) out += " [" + notes + "]";
        out += "\n   reason: " + c.reason + "\n";
    }
    return out;
}

}  // namespace boxtool
