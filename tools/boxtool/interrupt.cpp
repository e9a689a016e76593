#include "interrupt.hpp"

#include <signal.h>

namespace boxtool::cli {

std::atomic<bool> g_interrupted{false};

namespace {
extern "C" void on_interrupt(int sig) {
    g_interrupted.store(true);
    ::signal(sig, SIG_DFL);
}
}  // namespace

void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace boxtool::cli
