#include "util/deadline.hpp"

namespace boxtool::util {

Deadline::Deadline(std::chrono::milliseconds limit, const std::stop_token& parent)
    : forward_(parent, std::function<void()>([this] { source_.request_stop(); })),
      timer_([this, limit](std::stop_token self) {
          std::unique_lock lock(mutex_);
          // Returns early only when this Deadline is destroyed (the transfer ended in time).
          wake_.wait_for(lock, self, limit, [] { return false; });
          if (!self.stop_requested()) {
              expired_ = true;
              source_.request_stop();
          }
      }) {}

Deadline::~Deadline() {
    timer_.request_stop();
    timer_.join();
}

}  // namespace boxtool::util
