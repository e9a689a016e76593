// The three renderings of a conformance run: a table for people, one JSON document, JUnit XML.
#pragma once

#include <string>
#include <vector>

#include "boxtool/checks/check.hpp"

namespace boxtool::checks {

struct RunSummary {
    std::string target;  // "registry/namespace"
    std::string mode;    // "read-only", "read-only (--image REF)", "push"
    int pass = 0, fail = 0, warn = 0, skip = 0;
    int required_failures = 0;
    double seconds = 0;
};

RunSummary summarize(const std::vector<CheckResult>& results, std::string target, std::string mode,
                     double seconds);

// Columns RESULT, LEVEL, ID, EVIDENCE, then a summary line. Text from the registry is made safe
// for a terminal (control characters escaped).
std::string render_table(const std::vector<CheckResult>& results, const RunSummary& summary);
std::string render_json(const std::vector<CheckResult>& results, const RunSummary& summary, int exit_code);
// One <testcase> per check; a failed check carries <failure>, a skipped one <skipped>, and the
// evidence is the failure message or the test case's system-out.
std::string render_junit(const std::vector<CheckResult>& results, const RunSummary& summary);
// The catalog for --list, as a table or as JSON.
std::string render_catalog_table(const std::vector<CheckInfo>& checks);
std::string render_catalog_json(const std::vector<CheckInfo>& checks);

// Escapes for each format (public for tests).
std::string json_escape(std::string_view text);
std::string xml_escape(std::string_view text);
std::string terminal_safe(std::string_view text);

}  // namespace boxtool::checks
