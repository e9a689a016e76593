// The terminal progress display of one pull, docker-style: every blob listed from the start with its
// state (waiting, downloading, verifying, extracting, done, already present), finished ones on one
// short line without a bar, a total that does not grow, lines cut to the terminal's width and the
// block kept within its height (finished layers fold into one line first), redrawn in place, also
// after a resize (SIGWINCH), so neither the screen nor the scrollback collects copies.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "boxtool/progress.hpp"

namespace boxtool::cli {

// The rows of the display for a terminal of `width` x `height`, without control sequences: what a
// test can check for any size. Each string is at most width - 1 columns.
class TtyLayout {
  public:
    using Clock = std::chrono::steady_clock;
    void on_event(const ProgressEvent& event, Clock::time_point now);
    std::vector<std::string> render(int width, int height, Clock::time_point now) const;
    bool empty() const { return order_.empty(); }

  private:
    struct Row {
        std::uint64_t current = 0, total = 0;
        std::string state = "waiting";
        Clock::time_point started{};
        Clock::time_point finished{};
        bool downloaded = false;  // bytes came over the network (not a store hit)
    };
    std::string line_for(const std::string& digest, const Row& row, int width, Clock::time_point now) const;
    std::map<std::string, Row> rows_;
    std::vector<std::string> order_;
    Clock::time_point first_download_{};
    std::uint64_t downloaded_bytes_ = 0;
};

// Display width in columns of UTF-8 text without control characters.
std::size_t display_width(const std::string& text);

}  // namespace boxtool::cli
