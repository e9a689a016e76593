// Renders engine progress: bars on a terminal, plain lines in logs, JSON lines for programs.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "boxtool/progress.hpp"

namespace boxtool::cli {

enum class ProgressMode { Tty, Plain, Json, Quiet };

class ProgressView {
  public:
    virtual ~ProgressView() = default;
    virtual void on_event(const ProgressEvent& event) = 0;
    virtual void finish() {}
};

// `out` receives the rendering: stderr for bars and lines, stdout for JSON lines.
std::unique_ptr<ProgressView> make_progress_view(ProgressMode mode, std::FILE* out);

std::string human_bytes(std::uint64_t bytes);
std::string short_digest(const std::string& digest);

}  // namespace boxtool::cli
