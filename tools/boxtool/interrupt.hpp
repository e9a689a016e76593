// Ctrl-C and SIGTERM during a pull: the first one asks the engine to stop cleanly (downloads end,
// temporary files are removed, outputs are left as they were); a second one, with the default
// action restored, ends the process at once.
#pragma once

#include <stop_token>
#include <thread>

namespace boxtool::cli {

class InterruptWatcher {
  public:
    // Installs the handlers; a thread turns the first signal into a stop request.
    InterruptWatcher();
    ~InterruptWatcher();  // restores the default handlers
    InterruptWatcher(const InterruptWatcher&) = delete;
    InterruptWatcher& operator=(const InterruptWatcher&) = delete;

    std::stop_token token() const { return stop_.get_token(); }

  private:
    std::stop_source stop_;
    int pipe_[2] = {-1, -1};
    std::thread thread_;
};

}  // namespace boxtool::cli
