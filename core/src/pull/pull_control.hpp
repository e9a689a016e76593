// One pull's stop mechanism. The caller's stop token and a failure that ends the pull (a sink that
// refused a layer, say) request the same stop, which every download, unpack and retry wait
// watches: a cancellation or a failure reaches every thread promptly, and no exception is thrown
// across a callback to get there.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>

#include "boxtool/error.hpp"

namespace boxtool::pull {

class PullControl {
  public:
    explicit PullControl(std::stop_token caller);
    PullControl(const PullControl&) = delete;
    PullControl& operator=(const PullControl&) = delete;

    std::stop_token token() const { return source_.get_token(); }
    bool stopped() const { return source_.stop_requested(); }
    // Records the first failure and stops the pull.
    void fail(Error error);
    // Why the pull stopped: the first failure, else a cancellation by the caller.
    Error outcome() const;

  private:
    std::stop_source source_;
    std::stop_callback<std::function<void()>> link_;  // the caller's stop stops this pull
    mutable std::mutex mutex_;
    std::optional<Error> failure_;
};

}  // namespace boxtool::pull
