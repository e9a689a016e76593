#include "suggest.hpp"

#include <algorithm>
#include <cctype>

namespace boxtool::text {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment: three rows of the classic table are enough.
    std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::optional<std::string> closest_match(std::string_view typed, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    const std::string typed_lower = lower(typed);
    for (const auto& candidate : candidates) {
        if (candidate == typed) continue;  // not a suggestion
        std::size_t d = lower(candidate) == typed_lower ? 0 : edit_distance(typed, candidate);
        std::size_t longer = std::max(typed.size(), candidate.size());
        std::size_t allowed = std::clamp<std::size_t>(longer / 3, 1, 3);
        if (d > allowed) continue;
        if (!best || d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates) {
    auto match = closest_match(typed, candidates);
    return match ? " (did you mean \"" + *match + "\"?)" : "";
}

}  // namespace boxtool::text
