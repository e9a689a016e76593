#include "interrupt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace boxtool::cli {
namespace {

// A signal handler may only do async-signal-safe things: write one byte to a pipe, which the
// watcher thread reads (std::stop_source::request_stop takes locks and is not safe there).
std::atomic<int> g_write_end{-1};

extern "C" void on_interrupt(int sig) {
    int fd = g_write_end.load();
    if (fd >= 0) {
        char byte = 1;
        [[maybe_unused]] auto n = ::write(fd, &byte, 1);
    }
    ::signal(sig, SIG_DFL);  // a second signal ends the process
}

}  // namespace

InterruptWatcher::InterruptWatcher() {
    if (::pipe2(pipe_, O_CLOEXEC) != 0) return;  // no watcher: Ctrl-C then ends the process at once
    g_write_end = pipe_[1];
    thread_ = std::thread([this] {
        char byte = 0;
        ssize_t n;
        do n = ::read(pipe_[0], &byte, 1);
        while (n < 0 && errno == EINTR);
        if (n == 1 && byte == 1) stop_.request_stop();  // byte 0: the destructor, not a signal
    });
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

InterruptWatcher::~InterruptWatcher() {
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    g_write_end = -1;
    if (thread_.joinable()) {
        char stop = 0;
        [[maybe_unused]] auto n = ::write(pipe_[1], &stop, 1);
        thread_.join();
    }
    if (pipe_[0] >= 0) ::close(pipe_[0]);
    if (pipe_[1] >= 0) ::close(pipe_[1]);
}

}  // namespace boxtool::cli
