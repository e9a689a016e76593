// "Did you mean ...?" for misspelt names (config keys, plugin settings, commands, flags): the known
// name closest to what was typed, when it is close enough to be a plausible typo.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::text {

// Levenshtein distance (insertions, deletions, substitutions), counting adjacent transpositions
// ("pht" for "pth") as one edit, as people type them. Case-sensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `typed`, if it is within a third of the longer name's length (at least
// 1 and at most 3 edits) or differs only in case; ties go to the earlier candidate. Nothing when no
// candidate is close, so a wild guess never sends the user off in the wrong direction.
std::optional<std::string> closest_match(std::string_view typed, const std::vector<std::string>& candidates);

// " (did you mean \"NAME\"?)" for closest_match, or "" when nothing is close: ready to append to a
// message such as "unknown key \"stor\"".
std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace boxtool::text
