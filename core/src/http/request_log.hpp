// The engine's request log (EngineOptions::log): records made from requests and answers with every
// secret redacted first, so nothing secret can reach a log line whatever the front end does with it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "boxtool/network.hpp"

namespace boxtool::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The URL without user information, and with the values of query parameters that may carry a
// secret (token, signature, password, key, code, credential...) replaced by "REDACTED".
std::string redact_url(std::string_view url);

// The headers worth a log line (content type and length, digests, ranges, locations, challenges,
// retry hints, the authorization scheme), secrets redacted: Authorization and Proxy-Authorization
// keep only their scheme, cookies are dropped to "REDACTED", Location is redact_url'd.
HeaderList loggable_headers(const HeaderList& headers);

// host[:port] of a URL, for LogRecord::registry.
std::string host_of(std::string_view url);

// Emits a record when `log` is set; an exception from the callback is swallowed.
void emit(const LogCallback& log, LogRecord record);

}  // namespace boxtool::http
