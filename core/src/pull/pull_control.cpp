#include "pull/pull_control.hpp"

#include <functional>

namespace boxtool::pull {

PullControl::PullControl(std::stop_token caller)
    : link_(std::move(caller), std::function<void()>([this] { source_.request_stop(); })) {}

void PullControl::fail(Error error) {
    {
        std::lock_guard lock(mutex_);
        if (!failure_) failure_ = std::move(error);
    }
    source_.request_stop();
}

Error PullControl::outcome() const {
    std::lock_guard lock(mutex_);
    if (failure_) return *failure_;
    return Error{ErrorKind::Cancelled,
                 "pull interrupted; no output was written (downloads so far are kept to resume)",
                 {},
                 {},
                 ""};
}

}  // namespace boxtool::pull
