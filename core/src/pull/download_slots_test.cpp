// Large downloads of a pull that unpacks as it downloads: one at a time while the machine has no
// core to spare, more (up to jobs) once it idles, always in the manifest's order. The machine's
// idleness comes from a probe the test drives, so nothing here depends on the load of the host.
#include "pull/download_slots.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace boxtool::pull {
namespace {

using namespace std::chrono_literals;

// Idle seconds as a probe reports them: advancing by `idle_cores` per second of wall time.
class FakeMachine {
  public:
    explicit FakeMachine(double idle_cores) : idle_cores_(idle_cores) {}
    DownloadSlots::IdleProbe probe() {
        return [this]() -> std::optional<double> {
            std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start_;
            return wall.count() * idle_cores_.load();
        };
    }
    void set_idle_cores(double n) { idle_cores_ = n; }

  private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::atomic<double> idle_cores_;
};

TEST(DownloadSlots, UnpacedDownloadsRunJobsAtOnce) {
    DownloadSlots slots(4, false);
    std::stop_source stop;
    for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(slots.acquire(stop.get_token(), true, i));
    auto fifth = std::async(std::launch::async, [&] { return slots.acquire(stop.get_token(), true, 4); });
    EXPECT_EQ(fifth.wait_for(100ms), std::future_status::timeout);
    slots.release();
    EXPECT_TRUE(fifth.get());
}

TEST(DownloadSlots, PacedDownloadsStayOneAtATimeWhileNoCoreIsIdle) {
    FakeMachine busy(0.3);
    DownloadSlots slots(4, true, busy.probe());
    std::stop_source stop;
    EXPECT_TRUE(slots.acquire(stop.get_token(), true, 0));
    auto second = std::async(std::launch::async, [&] { return slots.acquire(stop.get_token(), true, 1); });
    EXPECT_EQ(second.wait_for(700ms), std::future_status::timeout);  // several sampling intervals
    EXPECT_EQ(slots.allowed(), 1);
    // Small blobs are not paced: they start beside the large one.
    EXPECT_TRUE(slots.acquire(stop.get_token(), false, 7));
    slots.release();
    slots.release();
    EXPECT_TRUE(second.get());
}

TEST(DownloadSlots, PacedDownloadsOpenUpToJobsWhenTheMachineIdles) {
    FakeMachine idle(1.8);  // a slow link: the CPU waits for the network
    DownloadSlots slots(3, true, idle.probe());
    std::stop_source stop;
    std::vector<std::future<bool>> started;
    for (std::size_t i = 0; i < 4; ++i)
        started.push_back(
            std::async(std::launch::async, [&, i] { return slots.acquire(stop.get_token(), true, i); }));
    for (int i = 0; i < 200 && slots.allowed() < 3; ++i) std::this_thread::sleep_for(20ms);
    EXPECT_EQ(slots.allowed(), 3);  // never more than jobs
    int running = 0;
    for (auto& f : started) running += f.wait_for(200ms) == std::future_status::ready ? 1 : 0;
    EXPECT_EQ(running, 3);
    stop.request_stop();
    for (auto& f : started) f.get();
}

TEST(DownloadSlots, PacedDownloadsStartInTheManifestsOrder) {
    FakeMachine busy(0.0);
    DownloadSlots slots(4, true, busy.probe());
    std::stop_source stop;
    ASSERT_TRUE(slots.acquire(stop.get_token(), true, 0));
    std::mutex m;
    std::vector<std::size_t> order;
    std::vector<std::future<void>> waiters;
    for (std::size_t i : {3, 1, 2}) {  // asking in another order than the manifest's
        waiters.push_back(std::async(std::launch::async, [&, i] {
            ASSERT_TRUE(slots.acquire(stop.get_token(), true, i));
            {
                std::lock_guard lock(m);
                order.push_back(i);
            }
            std::this_thread::sleep_for(10ms);
            slots.release();
        }));
        std::this_thread::sleep_for(30ms);
    }
    slots.release();  // download 0 done: 1, 2, 3 follow one by one, in order
    for (auto& w : waiters) w.get();
    EXPECT_EQ(order, (std::vector<std::size_t>{1, 2, 3}));
}

TEST(DownloadSlots, AStopEndsTheWait) {
    FakeMachine busy(0.0);
    DownloadSlots slots(2, true, busy.probe());
    std::stop_source stop;
    ASSERT_TRUE(slots.acquire(stop.get_token(), true, 0));
    auto waiting = std::async(std::launch::async, [&] { return slots.acquire(stop.get_token(), true, 1); });
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
    ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
    EXPECT_FALSE(waiting.get());
}

TEST(DownloadSlots, TheMachinesIdleTimeIsReadable) {
    auto idle = machine_idle_seconds();
    ASSERT_TRUE(idle.has_value());
    EXPECT_GT(*idle, 0.0);
}

}  // namespace
}  // namespace boxtool::pull
