#include "pull/download_slots.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <string>

namespace boxtool::pull {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSampleEvery = std::chrono::milliseconds(200);
constexpr auto kRecheckEvery = std::chrono::milliseconds(25);

}  // namespace

std::optional<double> machine_idle_seconds() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0;
    if (!(stat >> cpu >> user >> nice >> system >> idle >> iowait) || cpu != "cpu") return std::nullopt;
    static const long ticks = ::sysconf(_SC_CLK_TCK);
    return static_cast<double>(idle + iowait) / static_cast<double>(ticks > 0 ? ticks : 100);
}

DownloadSlots::DownloadSlots(int jobs, bool paced, IdleProbe idle_probe)
    : jobs_(std::max(1, jobs)),
      idle_probe_(idle_probe ? std::move(idle_probe) : IdleProbe(machine_idle_seconds)),
      allowed_(paced ? 1 : jobs_),
      sampled_at_(Clock::now()) {}

bool DownloadSlots::core_idle() {
    const auto now = Clock::now();
    const std::chrono::duration<double> wall = now - sampled_at_;
    if (wall < kSampleEvery) return false;
    const auto idle = idle_probe_();
    if (!idle) return false;
    const double idle_cores = (*idle - idle_seconds_) / wall.count();  // on average over the interval
    sampled_at_ = now;
    idle_seconds_ = *idle;
    return idle_cores >= 1.0;
}

bool DownloadSlots::acquire(const std::stop_token& stop, bool paced, std::size_t order) {
    std::unique_lock lock(mutex_);
    // Paced downloads start in the manifest's order: the unpack needs layer 1 before layer 2.
    if (paced) waiting_.insert(order);
    auto may_start = [&] {
        if (!paced) return running_ < jobs_;
        return running_ < allowed_ && *waiting_.begin() == order;
    };
    while (!may_start()) {
        if (stop.stop_requested()) {
            if (paced) waiting_.erase(order);
            freed_.notify_all();
            return false;
        }
        freed_.wait_for(lock, kRecheckEvery);
        if (paced && allowed_ < jobs_ && running_ >= allowed_ && core_idle()) ++allowed_;
    }
    if (paced) waiting_.erase(order);
    ++running_;
    if (paced && !sampling_) {
        // What the machine does from the first large download on decides the next slot (not the
        // start-up and manifests before it).
        sampling_ = true;
        sampled_at_ = Clock::now();
        idle_seconds_ = idle_probe_().value_or(0);
    }
    return true;
}

void DownloadSlots::release() {
    {
        std::lock_guard lock(mutex_);
        --running_;
    }
    freed_.notify_all();  // the next in order may be any of the waiters
}

int DownloadSlots::allowed() const {
    std::lock_guard lock(mutex_);
    return allowed_;
}

}  // namespace boxtool::pull
