// How many large downloads of one pull run at once.
//
// Without pacing, up to `jobs`. With pacing (the default when an output unpacks layers as they
// download), one at first, in the manifest's order, and one more whenever the machine had a whole
// core idle over the last interval. On a link faster than the unpack the CPU is the limit: a
// second download only takes CPU from the unpack and from the first download, and the layer being
// unpacked arrives later and is read back cold instead of straight behind its download (measured:
// 1.64-1.93 s against 1.47 s for 8 x 128 MiB layers on two cores). On a slow link the CPU idles,
// and the pull opens up to `jobs` connections within a second.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>

namespace boxtool::pull {

// Seconds all CPUs of this machine spent idle since boot (/proc/stat: idle and iowait); nothing
// when unreadable (then no slot opens by pacing).
std::optional<double> machine_idle_seconds();

class DownloadSlots {
  public:
    using IdleProbe = std::function<std::optional<double>()>;
    // `idle_probe` defaults to machine_idle_seconds (tests pass their own).
    DownloadSlots(int jobs, bool paced, IdleProbe idle_probe = {});
    // Waits for a slot; false when `stop` was requested first. Paced downloads start in `order`
    // (the blob's place in the manifest); an unpaced one (a small blob) only needs fewer than
    // `jobs` running.
    bool acquire(const std::stop_token& stop, bool paced, std::size_t order);
    void release();
    int allowed() const;

  private:
    bool core_idle();  // under mutex_: whether the machine had a core idle since the last look

    const int jobs_;
    const IdleProbe idle_probe_;
    mutable std::mutex mutex_;
    std::condition_variable freed_;
    int running_ = 0;
    int allowed_;
    bool sampling_ = false;
    std::set<std::size_t> waiting_;  // the order of paced downloads waiting for a slot
    std::chrono::steady_clock::time_point sampled_at_;
    double idle_seconds_ = 0;
};

}  // namespace boxtool::pull
