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

// The view of one image among several pulled at once (compose stacks): JSON events carry
// "service" after the event's name (and "image", as every event does), plain lines start with
// "SERVICE: ". Bars for
// several images at once are not drawn: Tty renders as Plain. The caller serializes calls across views.
std::unique_ptr<ProgressView> make_labeled_progress_view(ProgressMode mode, std::FILE* out,
                                                         const std::string& service);

// Plain lines, with a progress line for a blob still downloading at most every `interval`.
std::unique_ptr<ProgressView> make_plain_view(std::FILE* out, std::chrono::milliseconds interval);

std::string human_bytes(std::uint64_t bytes);
std::string short_digest(const std::string& digest);

}  // namespace boxtool::cli
