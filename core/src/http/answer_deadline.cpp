#include "http/answer_deadline.hpp"

#include <sys/socket.h>

namespace boxtool::http {
namespace {

std::int64_t now_ticks() {
    return std::chrono::steady_clock::now().time_since_epoch().count();
}

}  // namespace

void AnswerDeadline::arm(int fd) {
    stop();
    fd_ = fd;
    last_.store(now_ticks());
    expired_.store(false);
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    thread_ = std::thread([this] { watch(); });
}

void AnswerDeadline::kick() noexcept {
    last_.store(now_ticks());
}

void AnswerDeadline::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void AnswerDeadline::watch() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        auto last = std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(last_.load()));
        auto deadline = last + limit_;
        if (std::chrono::steady_clock::now() >= deadline) {
            // Shut down, not closed: the owning thread still closes the descriptor, so its number
            // cannot be reused under that thread's feet.
            expired_.store(true);
            ::shutdown(fd_, SHUT_RDWR);
            return;
        }
        cv_.wait_until(lock, deadline);
    }
}

}  // namespace boxtool::http
