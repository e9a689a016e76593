#include "progress_view.hpp"

#include <Poco/JSON/Object.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <sstream>

#include "terminal_text.hpp"
#include "tty_progress.hpp"

namespace boxtool::cli {
namespace {
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

class QuietView final : public ProgressView {
  public:
    void on_event(const ProgressEvent&) override {}
};

class PlainView final : public ProgressView {
  public:
    explicit PlainView(std::FILE* out, std::string prefix = "",
                       std::chrono::milliseconds interval = std::chrono::seconds(2))
        : out_(out), prefix_(std::move(prefix)), interval_(interval) {}
    void on_event(const ProgressEvent& e) override {
        using T = ProgressEvent::Type;
        const std::string key = e.digest ? e.digest->str() : "";
        std::string d = short_digest(key);
        if (e.type != T::BlobProgress) std::fputs(prefix_.c_str(), out_);
        switch (e.type) {
            case T::CandidateStart:
                std::fprintf(out_, "trying %s/%s (%s)\n", printable(e.registry, false).c_str(),
                             printable(e.repository, false).c_str(), printable(e.message).c_str());
                break;
            case T::CandidateFailed:
                std::fprintf(out_, "  failed: %s\n", printable(e.message).c_str());
                break;
            case T::Resolved:
                std::fprintf(out_, "resolved manifest %s%s\n", key.c_str(),
                             e.message.empty() ? "" : (" for " + printable(e.message, false)).c_str());
                break;
            case T::BlobQueued:
            case T::BlobVerifying:
                break;
            case T::LayerUnpacking:
                std::fprintf(out_, "%s unpacking\n", d.c_str());
                break;
            case T::LayerUnpacked:
                std::fprintf(out_, "%s unpacked\n", d.c_str());
                break;
            case T::BlobStart:
                starts_[key] = Clock::now();
                last_line_[key] = Clock::now();
                std::fprintf(out_, "%s downloading %s\n", d.c_str(), human_bytes(e.total).c_str());
                break;
            case T::BlobProgress: {
                // Logs want milestones, not a line per chunk, but a long blob still shows it moves.
                auto now = Clock::now();
                auto& last = last_line_[key];
                if (now - last < interval_) break;
                last = now;
                double s = starts_.count(key) ? seconds_since(starts_[key]) : 0;
                int pct = e.total ? static_cast<int>(100.0 * static_cast<double>(e.current) /
                                                     static_cast<double>(e.total))
                                  : 0;
                std::fprintf(
                    out_, "%s%s downloading %s / %s (%d%%)%s\n", prefix_.c_str(), d.c_str(),
                    human_bytes(e.current).c_str(), human_bytes(e.total).c_str(), pct,
                    s > 0.5
                        ? (", " +
                           human_bytes(static_cast<std::uint64_t>(static_cast<double>(e.current) / s)) + "/s")
                              .c_str()
                        : "");
                break;
            }
            case T::BlobDone: {
                double s = starts_.count(key) ? seconds_since(starts_[key]) : 0;
                std::fprintf(out_, "%s done %s in %.1fs\n", d.c_str(), human_bytes(e.total).c_str(), s);
                break;
            }
            case T::BlobCached:
                std::fprintf(out_, "%s already present\n", d.c_str());
                break;
            case T::BlobRetry:
                std::fprintf(out_, "%s retrying%s: %s\n", d.c_str(),
                             e.current ? (" from " + human_bytes(e.current)).c_str() : "",
                             printable(e.message).c_str());
                break;
            case T::OutputWritten:
                std::fprintf(out_, "wrote %s\n", printable(e.message).c_str());
                break;
            case T::BlobDiscarded:
                std::fprintf(out_, "warning: %s\n", printable(e.message).c_str());
                break;
        }
        std::fflush(out_);
    }

  private:
    std::FILE* out_;
    std::string prefix_;
    std::map<std::string, Clock::time_point> starts_;
    std::map<std::string, Clock::time_point> last_line_;
    std::chrono::milliseconds interval_;
};

class JsonView final : public ProgressView {
  public:
    explicit JsonView(std::FILE* out, std::string service = "") : out_(out), service_(std::move(service)) {}
    void on_event(const ProgressEvent& e) override {
        std::string line = to_json(e);
        if (!service_.empty()) {
            // A stack's events say which service they belong to, right after the event's name
            // (the image, as pull() was given it, is already in them).
            Poco::JSON::Object label;
            label.set("service", service_);
            std::ostringstream text;
            label.stringify(text);
            std::string field = "," + text.str().substr(1, text.str().size() - 2);
            auto at = line.find(",\"time\"");
            line.insert(at == std::string::npos ? line.size() - 1 : at, field);
        }
        std::fprintf(out_, "%s\n", json_printable(line).c_str());
        std::fflush(out_);
    }

  private:
    std::FILE* out_;
    std::string service_;
};

// The docker-style display (tty_progress.hpp), redrawn in place at most ten times a second and
// at once after a resize. Lines that are not progress (candidates tried, outputs written) go above
// the block while pulling, and the outputs below it at the end, with the summary after them.
std::atomic<bool> g_resized{false};

extern "C" void on_sigwinch(int) {
    g_resized.store(true);
}

class TtyView final : public ProgressView {
  public:
    explicit TtyView(std::FILE* out) : out_(out), fd_(fileno(out)) {
        struct sigaction sa {};
        sa.sa_handler = on_sigwinch;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        installed_ = ::sigaction(SIGWINCH, &sa, &previous_) == 0;
        measure();
    }
    ~TtyView() override {
        if (installed_) ::sigaction(SIGWINCH, &previous_, nullptr);
    }
    void on_event(const ProgressEvent& e) override {
        using T = ProgressEvent::Type;
        const auto now = TtyLayout::Clock::now();
        switch (e.type) {
            case T::CandidateStart:
                above("trying " + printable(e.registry + "/" + e.repository, false) + " (" +
                      printable(e.message, false) + ")");
                return;
            case T::CandidateFailed:
                above("  failed: " + printable(e.message, false));
                return;
            case T::Resolved:
                above("resolved " + (e.digest ? e.digest->str() : std::string()) +
                      (e.platform ? " (" + printable(e.platform->str(), false) + ")" : std::string()));
                return;
            case T::OutputWritten:
                below_.push_back("wrote " + printable(e.message, false));
                return;
            case T::BlobDiscarded:
                // A stored copy failed its check and is fetched again: a warning, above the bars.
                above("warning: " + printable(e.message, false));
                layout_.on_event(e, now);
                return;
            case T::BlobProgress:
                layout_.on_event(e, now);
                draw(false);
                return;
            default:
                layout_.on_event(e, now);
                draw(true);
                return;
        }
    }
    void finish() override {
        draw(true);
        drawn_.clear();  // what is on screen now stays
        for (const auto& line : below_) std::fprintf(out_, "%s\n", line.c_str());
        below_.clear();
        std::fflush(out_);
    }

  private:
    void measure() {
        struct winsize ws {};
        if (::ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
            width_ = ws.ws_col;
            height_ = ws.ws_row > 0 ? ws.ws_row : 24;
        }
    }
    // Moves to the first line of the block and clears to the end of the screen. After a resize a
    // terminal that rewraps (tmux, VTE, kitty...) has made rows of the old lines that no longer
    // fit: count them at the new width, so the block is erased whole and never left behind.
    void erase() {
        if (drawn_.empty()) return;
        int rows = 0;
        for (const auto& line : drawn_) {
            int w = static_cast<int>(display_width(line));
            rows += std::max(1, (w + width_ - 1) / std::max(width_, 1));
        }
        std::fprintf(out_, "\r\x1b[%dA\x1b[J", rows);
        drawn_.clear();
    }
    void above(const std::string& text) {
        if (g_resized.exchange(false)) measure();
        erase();
        std::fprintf(out_, "%s\n", text.c_str());
        draw(true);
    }
    void draw(bool force) {
        const auto now = TtyLayout::Clock::now();
        const bool resized = g_resized.exchange(false);
        if (resized) measure();
        if (!force && !resized && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        erase();
        drawn_ = layout_.render(width_, height_, now);
        for (const auto& line : drawn_) std::fprintf(out_, "%s\n", line.c_str());
        std::fflush(out_);
    }

    std::FILE* out_;
    int fd_;
    int width_ = 80;
    int height_ = 24;
    bool installed_ = false;
    struct sigaction previous_ {};
    TtyLayout layout_;
    std::vector<std::string> drawn_;
    std::vector<std::string> below_;
    TtyLayout::Clock::time_point last_draw_{};
};

}  // namespace

std::string human_bytes(std::uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

std::string short_digest(const std::string& digest) {
    auto colon = digest.find(':');
    return colon == std::string::npos ? digest : digest.substr(colon + 1, 12);
}

std::unique_ptr<ProgressView> make_plain_view(std::FILE* out, std::chrono::milliseconds interval) {
    return std::make_unique<PlainView>(out, "", interval);
}

std::unique_ptr<ProgressView> make_progress_view(ProgressMode mode, std::FILE* out) {
    switch (mode) {
        case ProgressMode::Tty:
            return std::make_unique<TtyView>(out);
        case ProgressMode::Plain:
            return std::make_unique<PlainView>(out);
        case ProgressMode::Json:
            return std::make_unique<JsonView>(out);
        case ProgressMode::Quiet:
            break;
    }
    return std::make_unique<QuietView>();
}

std::unique_ptr<ProgressView> make_labeled_progress_view(ProgressMode mode, std::FILE* out,
                                                         const std::string& service) {
    switch (mode) {
        case ProgressMode::Tty:
        case ProgressMode::Plain:
            return std::make_unique<PlainView>(out, service + ": ");
        case ProgressMode::Json:
            return std::make_unique<JsonView>(out, service);
        case ProgressMode::Quiet:
            break;
    }
    return std::make_unique<QuietView>();
}

}  // namespace boxtool::cli
