// Ctrl-C and SIGTERM for the pulling commands: the first asks the engine to stop cleanly
// (temporary files removed); a second one, with the default action restored, ends the process.
#pragma once

#include <atomic>

namespace boxtool::cli {

// Set by the handlers; hand it to PullOptions::interrupt.
extern std::atomic<bool> g_interrupted;

void install_interrupt_handlers();

}  // namespace boxtool::cli
