// --timeout as users mean it: the whole wait for an answer, from the moment the connection is made
// (so the TLS handshake and a proxy's CONNECT count) until the response headers, and then each
// pause between body bytes. Socket timeouts alone cannot give that: OpenSSL's handshake under
// Poco waits once on the socket timeout and again in a poll, and each phase has its own timer, so a
// registry that accepts and never answers cost three timeouts. A small watchdog thread shuts the
// connection down once the limit passes without progress; the owning thread then fails at once
// and reports a timeout (expired() tells it so).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace boxtool::http {

class AnswerDeadline {
  public:
    explicit AnswerDeadline(std::chrono::milliseconds limit) : limit_(limit) {}
    ~AnswerDeadline() { stop(); }
    AnswerDeadline(const AnswerDeadline&) = delete;
    AnswerDeadline& operator=(const AnswerDeadline&) = delete;

    // Starts watching `fd` (a connected socket) from now; again with another fd restarts it.
    void arm(int fd);
    // Progress: bytes arrived, so the wait starts over.
    void kick() noexcept;
    // Stops watching; the fd may then be handed on (to the connection pool). Idempotent.
    void stop();
    bool expired() const noexcept { return expired_.load(); }
    std::chrono::milliseconds limit() const noexcept { return limit_; }

  private:
    void watch();
    std::chrono::milliseconds limit_;
    int fd_ = -1;
    std::atomic<std::int64_t> last_{0};  // steady_clock ticks of the last progress
    std::atomic<bool> expired_{false};
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace boxtool::http
