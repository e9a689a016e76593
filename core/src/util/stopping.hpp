// Waiting and checking against a std::stop_token, for every loop that must end when a pull stops.
#pragma once

#include <chrono>
#include <stop_token>

namespace boxtool::util {

// Throws Failure(Cancelled) once `token` has been stopped.
void throw_if_stopped(const std::stop_token& token);

// Sleeps for `duration`, or less when `token` is stopped meanwhile. Returns false when stopped.
bool sleep_unless_stopped(std::chrono::milliseconds duration, const std::stop_token& token);

}  // namespace boxtool::util
