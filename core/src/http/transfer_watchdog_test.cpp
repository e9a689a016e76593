// The watchdog behind the stall detector and the request deadline: it calls a request's abort once
// the request is too slow, too long or stopped, and never after the request is done.
#include "http/transfer_watchdog.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace boxtool::http {
namespace {

using std::chrono::milliseconds;

bool wait_for(const std::atomic<int>& n, int at_least) {
    for (int i = 0; i < 500 && n.load() < at_least; ++i) std::this_thread::sleep_for(milliseconds(10));
    return n.load() >= at_least;
}

TEST(TransferWatchdog, ATransferBelowTheMinimumRateIsCutOff) {
    TransferWatchdog dog;
    std::atomic<int> aborted{0};
    auto h =
        dog.watch({.min_bytes_per_second = 1000, .stall_window = milliseconds(300)}, {}, [&] { ++aborted; });
    for (int i = 0; i < 5; ++i) {
        h.watch().received(1);  // a byte now and then: a drip
        std::this_thread::sleep_for(milliseconds(100));
    }
    ASSERT_TRUE(wait_for(aborted, 1));
    EXPECT_EQ(h.watch().verdict(), TransferWatchdog::Verdict::Stalled);
}

TEST(TransferWatchdog, AFastTransferIsLeftAlone) {
    TransferWatchdog dog;
    std::atomic<int> aborted{0};
    auto h =
        dog.watch({.min_bytes_per_second = 1000, .stall_window = milliseconds(200)}, {}, [&] { ++aborted; });
    for (int i = 0; i < 10; ++i) {
        h.watch().received(10000);
        std::this_thread::sleep_for(milliseconds(50));
    }
    EXPECT_EQ(aborted.load(), 0);
    EXPECT_EQ(h.watch().verdict(), TransferWatchdog::Verdict::None);
}

TEST(TransferWatchdog, TheDeadlineEndsEvenAFastTransfer) {
    TransferWatchdog dog;
    std::atomic<int> aborted{0};
    auto h = dog.watch({.deadline = milliseconds(200)}, {}, [&] { ++aborted; });
    ASSERT_TRUE(wait_for(aborted, 1));
    EXPECT_EQ(h.watch().verdict(), TransferWatchdog::Verdict::DeadlineExceeded);
}

TEST(TransferWatchdog, NothingArrivingForTheAnswerTimeoutEndsTheRequest) {
    // --timeout: a server that accepts and never answers (not even the TLS handshake).
    TransferWatchdog dog;
    std::atomic<int> aborted{0};
    auto h = dog.watch({.answer_timeout = milliseconds(300)}, {}, [&] { ++aborted; });
    ASSERT_TRUE(wait_for(aborted, 1));
    EXPECT_EQ(h.watch().verdict(), TransferWatchdog::Verdict::NoAnswer);
}

TEST(TransferWatchdog, EachArrivalStartsTheAnswerTimeoutOver) {
    // A slow answer that keeps arriving is not "no answer", however long it takes in all.
    TransferWatchdog dog;
    std::atomic<int> aborted{0};
    auto h = dog.watch({.answer_timeout = milliseconds(600)}, {}, [&] { ++aborted; });
    for (int i = 0; i < 8; ++i) {
        std::this_thread::sleep_for(milliseconds(150));
        if (i % 2)
            h.watch().progressed();  // the headers, say
        else
            h.watch().received(1);  // a body byte
    }
    EXPECT_EQ(aborted.load(), 0);
    EXPECT_EQ(h.watch().verdict(), TransferWatchdog::Verdict::None);
    ASSERT_TRUE(wait_for(aborted, 1)) << "silence after the last byte was not noticed";
    EXPECT_EQ(h.watch().verdict(), TransferWatchdog::Verdict::NoAnswer);
}

TEST(TransferWatchdog, AStopIsAppliedAgainUntilTheRequestEnds) {
    // A stop that came while the connection was still being made finds the socket later.
    TransferWatchdog dog;
    std::stop_source stop;
    std::atomic<int> aborted{0};
    stop.request_stop();
    {
        auto h = dog.watch({}, stop.get_token(), [&] { ++aborted; });
        ASSERT_TRUE(wait_for(aborted, 2));
    }
    int after = aborted.load();
    std::this_thread::sleep_for(TransferWatchdog::kTick * 3);
    EXPECT_EQ(aborted.load(), after) << "abort was called after the watch ended";
}

}  // namespace
}  // namespace boxtool::http
