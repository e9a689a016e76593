// The one retry policy: which answers are worth another attempt, how long to wait (jitter within
// bounds, Retry-After in both forms, capped), and the per-host gate concurrent downloads share.
#include "http/retry_policy.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "http/http_client.hpp"
#include "http/transport_failure.hpp"

namespace boxtool::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RetryPolicy, TransientStatusesAndFailures) {
    for (int s : {500, 502, 503, 504, 429}) EXPECT_TRUE(RetryPolicy::transient_status(s)) << s;
    for (int s : {200, 400, 401, 403, 404, 501, 505}) EXPECT_FALSE(RetryPolicy::transient_status(s)) << s;
    EXPECT_TRUE(RetryPolicy::transient(TransportFailure(Error{ErrorKind::Timeout, "stalled"}, true)));
    EXPECT_FALSE(RetryPolicy::transient(TransportFailure(Error{ErrorKind::Network, "refused"}, false)));
    EXPECT_TRUE(RetryPolicy::transient(Failure(ErrorKind::DigestMismatch, "x")));
    EXPECT_FALSE(RetryPolicy::transient(Failure(ErrorKind::Unauthorized, "x")));
}

TEST(RetryPolicy, BackoffGrowsWithJitterWithinBounds) {
    RetryPolicy p;
    for (int attempt = 0; attempt < 12; ++attempt) {
        auto ceiling = std::min(p.max_backoff, milliseconds(p.base.count() << attempt));
        for (int i = 0; i < 50; ++i) {
            auto d = p.delay(attempt, nullptr);
            EXPECT_GE(d, ceiling / 2) << attempt;
            EXPECT_LE(d, ceiling) << attempt;
        }
    }
}

TEST(RetryPolicy, RetryAfterInSecondsOrAsAnHttpDateIsHonouredAndCapped) {
    auto now = std::chrono::system_clock::now();
    EXPECT_EQ(parse_retry_after("3", now), seconds(3));
    EXPECT_EQ(parse_retry_after(" 0 ", now), seconds(0));
    EXPECT_FALSE(parse_retry_after("", now));
    EXPECT_FALSE(parse_retry_after("soon", now));
    EXPECT_FALSE(parse_retry_after("-1", now));
    // Wed, 21 Oct 2015 07:28:00 GMT, seen from ten seconds before it.
    auto at = std::chrono::system_clock::from_time_t(1445412480);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at - seconds(10)), seconds(10));
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at + seconds(10)), milliseconds(0));
    Response r;
    r.headers.emplace_back("Retry-After", "2");
    RetryPolicy p;
    EXPECT_EQ(p.delay(0, &r), seconds(2));
    r.headers[0].second = "86400";
    EXPECT_EQ(p.delay(0, &r), p.max_retry_after);  // a registry cannot park the pull for a day
}

TEST(HostBackoff, ARegistrysSlowDownHoldsEveryRequestToIt) {
    HostBackoff gate;
    auto until = std::chrono::steady_clock::now() + milliseconds(150);
    gate.defer("registry.example", until);
    gate.defer("registry.example", until - milliseconds(100));  // an earlier time does not shorten it
    std::atomic<bool> other_done{false};
    std::thread other([&] {
        EXPECT_TRUE(gate.wait("elsewhere.example", {}));  // other hosts are not held
        other_done = true;
    });
    EXPECT_TRUE(gate.wait("registry.example", {}));
    EXPECT_GE(std::chrono::steady_clock::now(), until);
    other.join();
    EXPECT_TRUE(other_done);
}

TEST(HostBackoff, AStopEndsTheWait) {
    HostBackoff gate;
    gate.defer("registry.example", std::chrono::steady_clock::now() + std::chrono::hours(1));
    std::stop_source stop;
    std::thread stopper([&] { stop.request_stop(); });
    EXPECT_FALSE(gate.wait("registry.example", stop.get_token()));
    stopper.join();
}

}  // namespace
}  // namespace boxtool::http
