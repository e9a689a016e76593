#include "tty_progress.hpp"

#include <algorithm>
#include <cstdio>

#include "progress_view.hpp"

namespace boxtool::cli {
namespace {

bool finished(const std::string& state) {
    return state == "done" || state == "already present";
}

std::string rate_text(std::uint64_t bytes, double seconds) {
    if (seconds < 0.5 || bytes == 0) return "";
    return human_bytes(static_cast<std::uint64_t>(static_cast<double>(bytes) / seconds)) + "/s";
}

// Cut to `width` columns (ASCII here: digests, numbers, states).
std::string fit(std::string text, int width) {
    if (width < 1) return "";
    if (display_width(text) > static_cast<std::size_t>(width)) text.resize(static_cast<std::size_t>(width));
    return text;
}

}  // namespace

std::size_t display_width(const std::string& text) {
    std::size_t n = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++n;  // count code points, not continuation bytes
    return n;
}

void TtyLayout::on_event(const ProgressEvent& e, Clock::time_point now) {
    using T = ProgressEvent::Type;
    if (!e.digest) return;
    const std::string key = e.digest->str();
    auto row = [&]() -> Row& {
        if (!rows_.count(key)) order_.push_back(key);
        return rows_[key];
    };
    switch (e.type) {
        case T::BlobQueued:
            row().total = e.total;
            break;
        case T::BlobCached: {
            Row& r = row();
            r.total = e.total ? e.total : r.total;
            r.current = r.total;
            r.state = "already present";
            r.finished = now;
            break;
        }
        case T::BlobStart: {
            Row& r = row();
            r.total = e.total ? e.total : r.total;
            r.current = e.current;
            r.state = "downloading";
            r.started = now;
            r.downloaded = true;
            if (first_download_ == Clock::time_point{}) first_download_ = now;
            break;
        }
        case T::BlobProgress: {
            Row& r = row();
            if (e.current > r.current) downloaded_bytes_ += e.current - r.current;
            r.current = e.current;
            if (e.total) r.total = e.total;
            break;
        }
        case T::BlobVerifying:
            row().state = "verifying";
            break;
        case T::BlobDone: {
            Row& r = row();
            if (r.total > r.current && r.downloaded) downloaded_bytes_ += r.total - r.current;
            r.current = r.total;
            r.state = "done";
            r.finished = now;
            break;
        }
        case T::BlobRetry: {
            Row& r = row();
            r.current = e.current;
            r.state = "retrying";
            break;
        }
        case T::LayerUnpacking:
            row().state = "extracting";
            break;
        case T::LayerUnpacked: {
            Row& r = row();
            if (r.state != "already present") r.state = "done";
            r.finished = now;
            break;
        }
        default:
            break;
    }
}

std::string TtyLayout::line_for(const std::string& digest, const Row& r, int width,
                                Clock::time_point now) const {
    const std::string id = short_digest(digest);
    char buf[256];
    if (finished(r.state)) {
        // Collapsed: no bar, just what happened.
        std::snprintf(buf, sizeof buf, "%s %-15s %s", id.c_str(), r.state.c_str(),
                      human_bytes(r.total).c_str());
        return fit(buf, width);
    }
    if (r.state == "waiting") {
        std::snprintf(buf, sizeof buf, "%s %-15s %s", id.c_str(), r.state.c_str(),
                      human_bytes(r.total).c_str());
        return fit(buf, width);
    }
    const double secs = std::chrono::duration<double>(now - r.started).count();
    const std::string amounts = human_bytes(r.current) + "/" + human_bytes(r.total);
    const std::string rate = r.state == "downloading" ? rate_text(r.current, secs) : "";
    // "ID STATE [bar] AMOUNTS RATE": the bar takes what the text leaves, and goes when too narrow.
    std::string head = id + " " + r.state;
    head.resize(std::max<std::size_t>(head.size(), 12 + 1 + 11), ' ');
    std::string tail = " " + amounts + (rate.empty() ? "" : " " + rate);
    int bar = width - static_cast<int>(head.size() + tail.size()) - 3;
    if (bar >= 6) {
        bar = std::min(bar, 40);
        int fill = r.total
                       ? static_cast<int>(bar * static_cast<double>(r.current) / static_cast<double>(r.total))
                       : 0;
        fill = std::clamp(fill, 0, bar);
        std::string b(static_cast<std::size_t>(fill), '=');
        if (fill < bar) b += '>';
        b.resize(static_cast<std::size_t>(bar), ' ');
        return fit(head + " [" + b + "]" + tail, width);
    }
    return fit(head + tail, width);
}

std::vector<std::string> TtyLayout::render(int width, int height, Clock::time_point now) const {
    std::vector<std::string> lines;
    if (order_.empty()) return lines;
    const int usable = std::max(width - 1, 1);  // never the last column: no automatic wrap
    std::uint64_t done_bytes = 0, total_bytes = 0;
    std::size_t finished_count = 0;
    for (const auto& d : order_) {
        const Row& r = rows_.at(d);
        total_bytes += r.total;
        done_bytes += r.current;
        finished_count += finished(r.state);
    }
    // Room for the rows: the terminal's height less the total line and the line the cursor sits on.
    const std::size_t room = static_cast<std::size_t>(std::max(height - 2, 2));
    const bool fold = order_.size() > room && finished_count > 0;
    std::vector<std::string> shown;
    if (fold) {
        std::uint64_t bytes = 0;
        for (const auto& d : order_)
            if (finished(rows_.at(d).state)) bytes += rows_.at(d).total;
        lines.push_back(
            fit(std::to_string(finished_count) + " finished (" + human_bytes(bytes) + ")", usable));
    }
    for (const auto& d : order_)
        if (!fold || !finished(rows_.at(d).state)) shown.push_back(d);
    const std::size_t left = room - lines.size();
    std::size_t hidden = 0;
    if (shown.size() > left) {
        hidden = shown.size() - (left - 1);
        shown.resize(left - 1);
    }
    for (const auto& d : shown) lines.push_back(line_for(d, rows_.at(d), usable, now));
    if (hidden) lines.push_back(fit("... " + std::to_string(hidden) + " more", usable));
    const double secs = first_download_ == Clock::time_point{}
                            ? 0
                            : std::chrono::duration<double>(now - first_download_).count();
    std::string total = "Total " + human_bytes(done_bytes) + "/" + human_bytes(total_bytes) + ", " +
                        std::to_string(finished_count) + "/" + std::to_string(order_.size()) + " blobs";
    // The rate counts downloaded bytes only: store hits cost nothing and must not inflate it.
    if (auto rate = rate_text(downloaded_bytes_, secs); !rate.empty() && finished_count < order_.size())
        total += ", " + rate;
    lines.push_back(fit(total, usable));
    return lines;
}

}  // namespace boxtool::cli
