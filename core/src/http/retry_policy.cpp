#include "http/retry_policy.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>

#include <algorithm>
#include <random>
#include <regex>

#include "http/http_client.hpp"
#include "http/transport_failure.hpp"

namespace boxtool::http {

bool RetryPolicy::transient_status(int status) {
    return (status >= 500 && status != 501 && status != 505) || status == 429;
}

bool RetryPolicy::transient(const Failure& f) {
    if (auto t = dynamic_cast<const TransportFailure*>(&f)) return t->transient();
    switch (f.error().kind) {
        case ErrorKind::ServerError:
        case ErrorKind::TooManyRequests:
        case ErrorKind::DigestMismatch:
        case ErrorKind::SizeMismatch:
            return true;
        default:
            return false;
    }
}

std::chrono::milliseconds RetryPolicy::delay(int attempt, const Response* answer) const {
    using std::chrono::milliseconds;
    if (answer) {
        if (auto after = parse_retry_after(answer->header("Retry-After"), std::chrono::system_clock::now()))
            return std::min(*after, max_retry_after);
    }
    // Full jitter (half fixed, half random): concurrent clients that failed together do not all
    // come back at the same instant.
    milliseconds ceiling = std::min(max_backoff, milliseconds(base.count() << std::min(attempt, 20)));
    thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<long long> pick(ceiling.count() / 2,
                                                  std::max<long long>(ceiling.count(), 1));
    return milliseconds(pick(rng));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
    auto b = value.find_first_not_of(" \t");
    if (b == std::string_view::npos) return std::nullopt;
    value = value.substr(b, value.find_last_not_of(" \t") - b + 1);
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (value.size() > 9) return std::chrono::hours(24 * 365);  // absurd, and capped by the caller
        return std::chrono::seconds(std::stoll(std::string(value)));
    }
    // RFC 9110's three date forms; Poco's parser alone would take almost anything.
    static const std::regex http_date(
        R"([A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT)"  // IMF-fixdate
        R"(|[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT)"   // RFC 850
        R"(|[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})");  // asctime
    if (value.size() > 40 || !std::regex_match(value.begin(), value.end(), http_date)) return std::nullopt;
    try {
        int tz = 0;
        Poco::DateTime when;
        std::string text(value);
        if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::HTTP_FORMAT, text, when, tz) &&
            !Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::RFC850_FORMAT, text, when, tz) &&
            !Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ASCTIME_FORMAT, text, when, tz))
            return std::nullopt;
        when.makeUTC(tz);
        auto at = std::chrono::system_clock::time_point(
            std::chrono::microseconds(when.timestamp().epochMicroseconds()));
        if (at <= now) return std::chrono::milliseconds(0);
        return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
    } catch (...) {
        return std::nullopt;
    }
}

void HostBackoff::defer(const std::string& host, std::chrono::steady_clock::time_point until) {
    std::lock_guard lock(mutex_);
    auto& t = not_before_[host];
    if (until > t) t = until;
    changed_.notify_all();
}

bool HostBackoff::wait(const std::string& host, const std::stop_token& stop) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (stop.stop_requested()) return false;
        auto it = not_before_.find(host);
        if (it == not_before_.end() || it->second <= std::chrono::steady_clock::now()) return true;
        auto until = it->second;
        changed_.wait_until(lock, stop, until, [] { return false; });
    }
}

}  // namespace boxtool::http
