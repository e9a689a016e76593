#include "http/transfer_watchdog.hpp"

namespace boxtool::http {

TransferWatchdog::Handle::~Handle() {
    std::lock_guard lock(dog_->mutex_);
    dog_->watches_.erase(it_);
}

TransferWatchdog::~TransferWatchdog() {
    if (thread_.joinable()) {
        thread_.request_stop();
        wake_.notify_all();
        thread_.join();
    }
}

TransferWatchdog::Handle TransferWatchdog::watch(TransferLimits limits, std::stop_token stop,
                                                 std::function<void()> abort) {
    std::lock_guard lock(mutex_);
    auto& w = watches_.emplace_back();
    w.abort_ = std::move(abort);
    w.stop_ = std::move(stop);
    w.limits_ = limits;
    w.started_ = w.window_start_ = std::chrono::steady_clock::now();
    w.progressed();
    if (!thread_.joinable()) thread_ = std::jthread([this](std::stop_token quit) { run(std::move(quit)); });
    wake_.notify_all();
    return Handle(*this, std::prev(watches_.end()));
}

void TransferWatchdog::check(Watch& w, std::chrono::steady_clock::time_point now) {
    if (w.verdict_.load() == Verdict::None) {
        const auto& lim = w.limits_;
        const std::chrono::steady_clock::time_point last_progress(
            std::chrono::steady_clock::duration(w.last_progress_.load(std::memory_order_relaxed)));
        if (lim.deadline.count() > 0 && now - w.started_ >= lim.deadline) {
            w.verdict_ = Verdict::DeadlineExceeded;
        } else if (lim.answer_timeout.count() > 0 && now - last_progress >= lim.answer_timeout) {
            w.verdict_ = Verdict::NoAnswer;
        } else if (lim.min_bytes_per_second > 0 && now - w.window_start_ >= lim.stall_window) {
            std::uint64_t total = w.bytes_.load(std::memory_order_relaxed);
            auto seconds = std::chrono::duration<double>(now - w.window_start_).count();
            if (static_cast<double>(total - w.window_bytes_) <
                static_cast<double>(lim.min_bytes_per_second) * seconds)
                w.verdict_ = Verdict::Stalled;
            w.window_start_ = now;
            w.window_bytes_ = total;
        }
    }
    // Applied on every tick, not once: a stop or verdict that came while the connection was still
    // being made finds the socket on a later tick.
    if (w.verdict_.load() != Verdict::None || w.stop_.stop_requested()) w.abort_();
}

void TransferWatchdog::run(std::stop_token quit) {
    std::unique_lock lock(mutex_);
    while (!quit.stop_requested()) {
        if (watches_.empty()) {
            wake_.wait(lock, quit, [&] { return !watches_.empty(); });
            continue;
        }
        wake_.wait_for(lock, quit, kTick, [] { return false; });
        auto now = std::chrono::steady_clock::now();
        for (auto& w : watches_) check(w, now);
    }
}

}  // namespace boxtool::http
