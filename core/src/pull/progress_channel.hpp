// Carries one pull's progress events to the caller's callback on the caller's own thread.
//
// Download and unpack threads post() events; they wait in a queue until the thread that called
// Engine::pull() delivers them, which it does whenever it posts an event itself and while it
// waits for the workers (pump_until). So a callback never runs on an engine thread, never runs
// twice at once, and never runs after pull() returned.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "boxtool/progress.hpp"

namespace boxtool::pull {

class ProgressChannel {
  public:
    // `callback` may be empty: events are then dropped. `image` is stamped on every event.
    ProgressChannel(const ProgressCallback& callback, std::string image);
    ProgressChannel(const ProgressChannel&) = delete;
    ProgressChannel& operator=(const ProgressChannel&) = delete;

    // From any thread. The time and image are filled in here.
    void post(ProgressEvent event);
    // Wakes the owner's pump_until() so it re-checks its condition.
    void wake();
    // On the owner thread: deliver queued events until done() is true. done() is evaluated with
    // the channel's lock released, after each wake or event.
    void pump_until(const std::function<bool()>& done);
    // On the owner thread: deliver whatever is queued.
    void drain();

  private:
    void deliver(const ProgressEvent& event) noexcept;
    bool on_owner_thread() const { return std::this_thread::get_id() == owner_; }

    const ProgressCallback& callback_;
    std::string image_;
    std::thread::id owner_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<ProgressEvent> queue_;
    bool woken_ = false;
};

}  // namespace boxtool::pull
