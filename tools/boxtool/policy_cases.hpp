// `boxtool policy test`: a JSON table of references and the candidates (or denial, or error) a
// policy script must answer for each. The format is documented in the README.
#pragma once

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "boxtool/lua_policy.hpp"

namespace boxtool::cli {

struct ExpectedCandidate {
    std::string reference;  // registry/repository:tag[@digest], as the explain output prints it
    std::optional<std::string> mirror_of;
    std::optional<std::string> credentials_from;
    std::optional<bool> digest_only;
    std::optional<bool> insecure;
    std::optional<std::string> reason;  // a substring of the candidate's reason
};

struct PolicyCase {
    std::string name;
    std::string reference;
    PolicyContext context;
    std::optional<std::vector<ExpectedCandidate>> expect;
    std::optional<std::string> expect_deny;   // a substring of the deny reason ("" matches any)
    std::optional<std::string> expect_error;  // an Outcome name: "runtime-error", "out-of-budget", ...
};

// Throws Failure(Config) naming the file and the case for a malformed cases file.
std::vector<PolicyCase> load_policy_cases(const std::filesystem::path& path);

// Runs every case, printing one PASS/FAIL line each (and what differed) to `out`. Returns the
// number of failed cases.
int run_policy_cases(const lua::LuaPolicy& policy, const std::vector<PolicyCase>& cases, std::FILE* out);

}  // namespace boxtool::cli
