#include "util/stopping.hpp"

#include <condition_variable>
#include <mutex>

#include "boxtool/error.hpp"

namespace boxtool::util {

void throw_if_stopped(const std::stop_token& token) {
    if (token.stop_requested())
        throw Failure(ErrorKind::Cancelled,
                      "pull interrupted; no output was written (downloads so far are kept to resume)");
}

bool sleep_unless_stopped(std::chrono::milliseconds duration, const std::stop_token& token) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    // The predicate is never true: only a stop request ends the wait early.
    cv.wait_for(lock, token, duration, [] { return false; });
    return !token.stop_requested();
}

}  // namespace boxtool::util
