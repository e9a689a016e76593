// A strict reading of WWW-Authenticate (RFC 9110 section 11.6.1 and 11.2), for the checks. The
// engine's own parser is lenient on purpose, to pull from registries that get details wrong; the
// checks must tell the registry what it got wrong.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::checks {

struct ParsedChallenge {
    std::string scheme;                         // lower-case
    std::map<std::string, std::string> params;  // lower-case names
    bool token68 = false;
};

// The challenges in one header value, or an error naming the offset and what was expected.
struct ChallengeParse {
    std::vector<ParsedChallenge> challenges;
    std::string error;  // empty when the value follows the grammar
};

ChallengeParse parse_challenges_strict(std::string_view header);

// What a client needs beyond the grammar: a Bearer challenge names an absolute http(s) realm
// (and should name a service). Empty when fine.
std::string bearer_problem(const ParsedChallenge& challenge);

}  // namespace boxtool::checks
