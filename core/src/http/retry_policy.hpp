// The one retry policy of a pull, for pings, tokens, manifests and blobs alike: which failures are
// worth another attempt, how long to wait before it (exponential backoff with full jitter, or the
// server's Retry-After, within a cap), and a per-host gate so that when a registry says "slow
// down", every download from it slows down, not just the one that was told.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "boxtool/error.hpp"

namespace boxtool::http {

struct Response;

struct RetryPolicy {
    int retries = 3;                      // extra attempts after the first
    std::chrono::milliseconds base{200};  // the first backoff, doubled per attempt
    std::chrono::milliseconds max_backoff{10000};
    std::chrono::milliseconds max_retry_after{30000};  // a longer Retry-After is cut to this

    // 5xx but 501 / 505 (which say what the server cannot do), and 429.
    static bool transient_status(int status);
    // A transient transport failure (reset, timeout, stall), a 5xx / 429 answer, or bytes that did
    // not verify (a corrupted transfer is worth one more try).
    static bool transient(const Failure& failure);

    // How long to wait before attempt `attempt + 1` (attempt counts from 0): Retry-After when the
    // answer carries one (capped), else a random time in [d/2, d] with d = base * 2^attempt.
    std::chrono::milliseconds delay(int attempt, const Response* answer) const;
};

// Retry-After as delta-seconds or an HTTP-date (RFC 9110); nothing when absent or malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// Per-host "not before" times, shared by the concurrent requests of an engine.
class HostBackoff {
  public:
    // No request to `host` starts before `until` (a later call can only push it further).
    void defer(const std::string& host, std::chrono::steady_clock::time_point until);
    // Sleeps until requests to `host` may go; false when stopped first.
    bool wait(const std::string& host, const std::stop_token& stop);

  private:
    std::mutex mutex_;
    std::condition_variable_any changed_;
    std::map<std::string, std::chrono::steady_clock::time_point> not_before_;
};

}  // namespace boxtool::http
