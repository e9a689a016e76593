#include "pull/progress_channel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace boxtool::pull {
namespace {

// Workers and the owner post at once: every event arrives on the owner's thread, none is lost,
// and the times, in the order the callback sees them, never go back.
TEST(ProgressChannel, EventsArriveOnTheOwnersThreadInTheOrderOfTheirTimes) {
    std::vector<ProgressEvent> seen;
    std::atomic<bool> other_thread{false};
    const auto owner = std::this_thread::get_id();
    ProgressCallback callback = [&](const ProgressEvent& e) {
        if (std::this_thread::get_id() != owner) other_thread = true;
        seen.push_back(e);
    };
    ProgressChannel channel(callback, "registry.test/app:1");
    constexpr int kWorkers = 4, kEach = 3000, kOwn = 3000;
    std::atomic<int> running{kWorkers};
    std::vector<std::jthread> workers;
    for (int w = 0; w < kWorkers; ++w)
        workers.emplace_back([&] {
            for (int i = 0; i < kEach; ++i)
                channel.post(ProgressEvent{.type = ProgressEvent::Type::BlobProgress});
            --running;
            channel.wake();
        });
    for (int i = 0; i < kOwn; ++i) channel.post(ProgressEvent{.type = ProgressEvent::Type::BlobStart});
    channel.pump_until([&] { return running == 0; });
    workers.clear();
    channel.drain();

    EXPECT_FALSE(other_thread);
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(kWorkers * kEach + kOwn));
    for (std::size_t i = 1; i < seen.size(); ++i)
        ASSERT_GE(seen[i].time, seen[i - 1].time) << "event " << i << " is older than the one before it";
    EXPECT_EQ(seen.front().image, "registry.test/app:1");
}

}  // namespace
}  // namespace boxtool::pull
