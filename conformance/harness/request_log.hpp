// Reading the request logs of the registry (combined access log) and the fault proxy, so tests
// can assert how many requests of a kind a pull made.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::harness {

struct LoggedRequest {
    std::string method;
    std::string path;  // request target, with the query
    int status = 0;
    // Only in the fault proxy's log:
    std::string fault{};         // the rule that fired ("fail", "redirect", ...), if one did
    std::string connection{};    // the client connection that carried it: same value, same connection
    bool authorization = false;  // whether it carried an Authorization header
    long long range_start = -1;  // the first byte its Range header asked for; -1 without one
};

// Lines like `127.0.0.1 - - [date] "GET /v2/ HTTP/1.1" 200 2 "" "agent"`; other lines are skipped.
std::vector<LoggedRequest> parse_access_log(const std::filesystem::path& log);
// Lines like `GET /v2/ 200 [fault] conn=N auth=yes|no`, as fault_proxy.py writes them.
std::vector<LoggedRequest> parse_proxy_log(const std::filesystem::path& log);

// Requests whose method equals `method` (any method if empty) and whose path contains a match for
// the ECMAScript regex `path_regex`.
int count_matching(const std::vector<LoggedRequest>& requests, std::string_view method,
                   const std::string& path_regex);

}  // namespace boxtool::harness
