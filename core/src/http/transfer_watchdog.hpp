// Watches every request in flight from one thread, and shuts a connection down when its request
// goes on too long (a whole-request deadline), moves too slowly (a stall: fewer than N bytes/s for
// T seconds, which a socket timeout never sees when a server drips a byte a second), waits too
// long for an answer (--timeout: nothing at all for that long, the TLS handshake and a proxy's
// CONNECT included, which socket timeouts cannot bound: OpenSSL under Poco waits once on the
// socket timeout and again in a poll, so a silent server cost several timeouts), or was stopped (a
// stop that came before the socket existed is applied as soon as it does).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <stop_token>
#include <thread>

namespace boxtool::http {

struct TransferLimits {
    // Below this many bytes per second, averaged over `stall_window`, a transfer has stalled.
    // 0 turns the stall detector off.
    std::uint64_t min_bytes_per_second = 0;
    std::chrono::milliseconds stall_window{30000};
    // The longest one request (connect, TLS handshake, headers and body) may take; 0: no limit.
    std::chrono::milliseconds deadline{0};
    // The longest wait with nothing arriving (nor sent): from the start of the request (connect,
    // CONNECT, TLS handshake) to the answer's headers, then between body bytes; 0: no limit.
    std::chrono::milliseconds answer_timeout{0};
};

class TransferWatchdog {
  public:
    enum class Verdict { None, Stalled, DeadlineExceeded, NoAnswer };

    // One request being watched. The request's thread reports bytes as they arrive; the watchdog
    // calls `abort` (from its own thread) when the request must end, possibly more than once.
    class Watch {
      public:
        // Bytes moved either way (a body received, or an upload sent): progress for the stall detector
        // and the answer timeout.
        void received(std::size_t bytes) noexcept {
            bytes_.fetch_add(bytes, std::memory_order_relaxed);
            progressed();
        }
        // Something arrived (an answer's headers, a proxy's reply): the answer timeout starts over.
        void progressed() noexcept {
            last_progress_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                                 std::memory_order_relaxed);
        }
        Verdict verdict() const noexcept { return verdict_.load(); }

      private:
        friend class TransferWatchdog;
        std::function<void()> abort_;
        std::stop_token stop_;
        TransferLimits limits_;
        std::chrono::steady_clock::time_point started_;
        std::chrono::steady_clock::time_point window_start_;
        std::uint64_t window_bytes_ = 0;
        std::atomic<std::uint64_t> bytes_{0};
        std::atomic<std::chrono::steady_clock::rep> last_progress_{0};  // steady_clock ticks
        std::atomic<Verdict> verdict_{Verdict::None};
    };

    // Unregisters the watch on destruction; after that, `abort` is never called again.
    class Handle {
      public:
        Handle(TransferWatchdog& dog, std::list<Watch>::iterator it) : dog_(&dog), it_(it) {}
        Handle(const Handle&) = delete;
        Handle& operator=(const Handle&) = delete;
        ~Handle();
        Watch& watch() { return *it_; }

      private:
        TransferWatchdog* dog_;
        std::list<Watch>::iterator it_;
    };

    TransferWatchdog() = default;
    ~TransferWatchdog();
    TransferWatchdog(const TransferWatchdog&) = delete;
    TransferWatchdog& operator=(const TransferWatchdog&) = delete;

    Handle watch(TransferLimits limits, std::stop_token stop, std::function<void()> abort);

    // How often the watchdog looks (also how late a stop can be applied, at worst).
    static constexpr std::chrono::milliseconds kTick{200};

  private:
    void run(std::stop_token quit);
    void check(Watch& w, std::chrono::steady_clock::time_point now);

    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::list<Watch> watches_;  // guarded by mutex_
    std::jthread thread_;       // started with the first watch; sleeps while nothing is watched
};

}  // namespace boxtool::http
