#include "pull/progress_channel.hpp"

namespace boxtool::pull {

ProgressChannel::ProgressChannel(const ProgressCallback& callback, std::string image)
    : callback_(callback), image_(std::move(image)), owner_(std::this_thread::get_id()) {}

void ProgressChannel::post(ProgressEvent event) {
    if (!callback_) return;
    event.image = image_;
    // Times are taken under the queue's lock, so the order events are delivered in is the order of
    // their times: stamped before the lock, a worker could queue an event after a later one.
    if (on_owner_thread()) {
        std::deque<ProgressEvent> ready;
        {
            std::lock_guard lock(mutex_);
            ready.swap(queue_);  // what the workers queued happened first
            event.time = std::chrono::system_clock::now();
        }
        for (const auto& e : ready) deliver(e);
        deliver(event);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        event.time = std::chrono::system_clock::now();
        queue_.push_back(std::move(event));
    }
    changed_.notify_one();
}

void ProgressChannel::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    changed_.notify_one();
}

void ProgressChannel::drain() {
    std::deque<ProgressEvent> ready;
    {
        std::lock_guard lock(mutex_);
        ready.swap(queue_);
    }
    for (const auto& e : ready) deliver(e);
}

void ProgressChannel::pump_until(const std::function<bool()>& done) {
    for (;;) {
        drain();
        if (done()) break;
        std::unique_lock lock(mutex_);
        // The timeout only guards against a condition that changed without a wake().
        changed_.wait_for(lock, std::chrono::milliseconds(250), [&] { return woken_ || !queue_.empty(); });
        woken_ = false;
    }
    drain();
}

void ProgressChannel::deliver(const ProgressEvent& event) noexcept {
    try {
        callback_(event);
    } catch (...) {
        // A front end's rendering problem must not fail a pull.
    }
}

}  // namespace boxtool::pull
