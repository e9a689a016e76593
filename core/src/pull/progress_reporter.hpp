// Serializes progress callbacks from download threads, and tolerates a missing callback.
#pragma once

#include <mutex>

#include "boxtool/progress.hpp"

namespace boxtool::pull {

class ProgressReporter {
  public:
    explicit ProgressReporter(const ProgressCallback& callback) : callback_(callback) {}
    void operator()(const ProgressEvent& event) {
        if (!callback_) return;
        std::lock_guard lock(mutex_);
        try {
            callback_(event);
        } catch (...) {
            // A front end's rendering problem must not fail a pull.
        }
    }

  private:
    const ProgressCallback& callback_;
    std::mutex mutex_;
};

}  // namespace boxtool::pull
