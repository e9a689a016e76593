// Running `boxtool conformance ... --json` in a test and reading its report: results by check id,
// and the JUnit file checked with an independent XML parser (python3's xml.etree).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace boxtool::conformance {

struct ConformanceReport {
    RunResult run;
    std::map<std::string, std::string> result;  // check id -> pass / fail / warn / skip
    std::map<std::string, std::string> level;
    std::map<std::string, std::string> evidence;
    std::vector<std::string> ids;  // in report order
    bool parsed = false;

    // The result of one check ("" when it is not in the report).
    std::string operator[](const std::string& id) const;
    // Ids of MUST checks that failed.
    std::vector<std::string> must_failures() const;
    // "id: result: evidence" lines, for assertion messages.
    std::string describe() const;
};

// boxtool conformance ARGS... --json; parses stdout (parsed is false when it is not the JSON report).
ConformanceReport run_conformance(const CliEnv& env, std::vector<std::string> args, RunOptions options = {});

// Every check id `boxtool conformance --list --json` prints.
std::vector<std::string> listed_check_ids(const CliEnv& env);

struct JunitSummary {
    bool valid = false;
    std::string error;  // the parser's complaint when not valid
    int testcases = 0;
    int failures = 0;                // <failure> elements
    int skipped = 0;                 // <skipped> elements
    std::vector<std::string> names;  // testcase names, in order
};

// Parses FILE with python3's xml.etree.ElementTree.
JunitSummary read_junit(const std::filesystem::path& file);

}  // namespace boxtool::conformance
