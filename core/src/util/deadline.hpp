// A stop token that fires when a time limit passes or when another token stops, whichever comes
// first. A per-read timeout cannot end a server that trickles a byte at a time forever; a deadline
// on the whole transfer can (http::Request::stop shuts the connection down).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace boxtool::util {

class Deadline {
  public:
    Deadline(std::chrono::milliseconds limit, const std::stop_token& parent);
    ~Deadline();
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;

    std::stop_token token() const { return source_.get_token(); }
    // True when the limit passed (rather than the parent stopping).
    bool expired() const noexcept { return expired_; }

  private:
    std::stop_source source_;
    std::atomic<bool> expired_{false};
    std::stop_callback<std::function<void()>> forward_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::jthread timer_;
};

}  // namespace boxtool::util
