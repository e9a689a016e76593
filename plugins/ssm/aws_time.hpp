// Expiry times as AWS writes them: ISO 8601 strings (instance metadata, ECR over some SDKs) or
// epoch seconds (ECR's JSON protocol answers).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace boxtool::plugins::aws {

using Clock = std::chrono::system_clock;

// "2026-11-22T18:00:00Z", with optional fractional seconds and a Z or +HH:MM / -HH:MM offset.
std::optional<Clock::time_point> parse_iso8601(std::string_view text);
Clock::time_point from_epoch_seconds(double seconds);

}  // namespace boxtool::plugins::aws
