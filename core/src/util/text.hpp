// Small text helpers shared by the engine's parsers and event writers.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace boxtool::util {

// ASCII lower case. Protocol text (header and parameter names, schemes, hosts, platforms) is
// ASCII, and std::tolower would follow the process's locale.
std::string ascii_lower(std::string_view text);

// A time in UTC as RFC 3339 with milliseconds ("2026-11-30T10:00:00.123Z"): the form of the
// timestamps in progress events and request log lines.
std::string rfc3339_ms(std::chrono::system_clock::time_point t);

}  // namespace boxtool::util
