// One registry conformance check: a stable id, the level of the text it comes from, and its result.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace boxtool::checks {

// MUST / SHOULD: what the cited specification says. BOXTOOL: what clients need beyond it.
enum class Level { Must, Should, Boxtool };
enum class Outcome { Pass, Fail, Warn, Skip };

const char* to_string(Level level) noexcept;
const char* to_string(Outcome outcome) noexcept;

struct CheckInfo {
    std::string id;  // "pull.manifest.get-by-digest": stable, used by --only / --skip
    Level level = Level::Must;
    std::string section;  // where the requirement comes from
    std::string title;    // one line: what is checked
    bool writes = false;  // needs --push
};

struct CheckResult {
    CheckInfo info;
    Outcome outcome = Outcome::Skip;
    std::string evidence;  // one line, secrets redacted
    double seconds = 0;
};

// Every check boxtool knows, in the order they run.
const std::vector<CheckInfo>& catalog();

// Shell-style glob (`*`, `?`, `[...]`) over a check id.
bool id_matches(std::string_view glob, std::string_view id);

// Whether an id is selected by --only globs (all when empty) and not removed by --skip globs.
bool selected(const std::string& id, const std::vector<std::string>& only,
              const std::vector<std::string>& skip);

// A required check failed: the run's exit status is 1.
bool is_required_failure(const CheckResult& result);

}  // namespace boxtool::checks
