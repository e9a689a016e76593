#include "progress_view.hpp"

#include "terminal_text.hpp"

#include <Poco/JSON/Object.h>

#include <sstream>

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
    explicit PlainView(std::FILE* out, std::string prefix = "") : out_(out), prefix_(std::move(prefix)) {}
    void on_event(const ProgressEvent& e) override {
        using T = ProgressEvent::Type;
        const std::string key = e.digest ? e.digest->str() : "";
        std::string d = short_digest(key);
        if (e.type != T::BlobProgress) std::fputs(prefix_.c_str(), out_);
        switch (e.type) {
            case T::CandidateStart:
                std::fprintf(out_, "trying %s/%s (%s)\n", e.registry.c_str(), e.repository.c_str(),
                             printable(e.message).c_str());
                break;
            case T::CandidateFailed:
                std::fprintf(out_, "  failed: %s\n", printable(e.message).c_str());
                break;
            case T::Resolved:
                std::fprintf(out_, "resolved manifest %s%s\n", key.c_str(),
                             e.message.empty() ? "" : (" for " + e.message).c_str());
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
                std::fprintf(out_, "%s downloading %s\n", d.c_str(), human_bytes(e.total).c_str());
                break;
            case T::BlobProgress:
                break;  // logs want milestones, not a line per chunk
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
        }
        std::fflush(out_);
    }

  private:
    std::FILE* out_;
    std::string prefix_;
    std::map<std::string, Clock::time_point> starts_;
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
        std::fprintf(out_, "%s\n", line.c_str());
        std::fflush(out_);
    }

  private:
    std::FILE* out_;
    std::string service_;
};

// One line per blob, redrawn in place at most ten times a second.
class TtyView final : public ProgressView {
  public:
    explicit TtyView(std::FILE* out) : out_(out), start_(Clock::now()) {}
    void on_event(const ProgressEvent& e) override {
        using T = ProgressEvent::Type;
        const std::string key = e.digest ? e.digest->str() : "";
        switch (e.type) {
            case T::CandidateStart:
            case T::CandidateFailed:
            case T::Resolved:
            case T::OutputWritten:
                clear();
                if (e.type == T::CandidateFailed)
                    std::fprintf(out_, "  failed: %s\n", printable(e.message).c_str());
                else if (e.type == T::CandidateStart)
                    std::fprintf(out_, "trying %s/%s (%s)\n", e.registry.c_str(), e.repository.c_str(),
                                 printable(e.message).c_str());
                else if (e.type == T::Resolved)
                    std::fprintf(out_, "resolved %s%s\n", key.c_str(),
                                 e.message.empty() ? "" : (" for " + e.message).c_str());
                else
                    std::fprintf(out_, "wrote %s\n", printable(e.message).c_str());
                draw(true);
                return;
            case T::BlobQueued:
            case T::BlobStart:
            case T::BlobCached: {
                if (!rows_.count(key)) order_.push_back(key);
                const char* state = e.type == T::BlobCached   ? "present"
                                    : e.type == T::BlobQueued ? "waiting"
                                                              : "downloading";
                rows_[key] = Row{e.current, e.total, state, Clock::now()};
                break;
            }
            case T::BlobProgress:
                rows_[key].current = e.current;
                break;
            case T::BlobVerifying:
                rows_[key].state = "verifying";
                break;
            case T::BlobDone:
                rows_[key].current = e.total;
                rows_[key].state = "done";
                break;
            case T::BlobRetry:
                rows_[key].current = e.current;
                rows_[key].state = "retrying";
                break;
            case T::LayerUnpacking:
                if (rows_.count(key)) rows_[key].state = "extracting";
                break;
            case T::LayerUnpacked:
                if (rows_.count(key)) rows_[key].state = "extracted";
                break;
        }
        draw(e.type != T::BlobProgress);
    }
    void finish() override { draw(true); }

  private:
    struct Row {
        std::uint64_t current = 0, total = 0;
        std::string state;
        Clock::time_point started;
    };
    void clear() {
        for (int i = 0; i < drawn_; ++i) std::fprintf(out_, "\x1b[1A\x1b[2K");
        drawn_ = 0;
    }
    void draw(bool force) {
        if (!force && Clock::now() - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = Clock::now();
        clear();
        std::uint64_t done = 0, total = 0;
        for (const auto& digest : order_) {
            const Row& r = rows_[digest];
            done += r.current;
            total += r.total;
            int width = 24;
            int fill =
                r.total
                    ? static_cast<int>(width * static_cast<double>(r.current) / static_cast<double>(r.total))
                    : width;
            std::string bar(static_cast<std::size_t>(fill), '=');
            bar.resize(static_cast<std::size_t>(width), ' ');
            double s = seconds_since(r.started);
            std::string speed =
                r.state == "downloading" && s > 0.2
                    ? human_bytes(static_cast<std::uint64_t>(static_cast<double>(r.current) / s)) + "/s"
                    : "";
            std::fprintf(out_, "%s [%s] %10s / %-10s %-11s %s\n", short_digest(digest).c_str(), bar.c_str(),
                         human_bytes(r.current).c_str(), human_bytes(r.total).c_str(), r.state.c_str(),
                         speed.c_str());
            ++drawn_;
        }
        if (!order_.empty()) {
            double s = seconds_since(start_);
            std::fprintf(
                out_, "total %s / %s  %s/s\n", human_bytes(done).c_str(), human_bytes(total).c_str(),
                human_bytes(s > 0 ? static_cast<std::uint64_t>(static_cast<double>(done) / s) : 0).c_str());
            ++drawn_;
        }
        std::fflush(out_);
    }

    std::FILE* out_;
    Clock::time_point start_;
    Clock::time_point last_draw_{};
    std::map<std::string, Row> rows_;
    std::vector<std::string> order_;
    int drawn_ = 0;
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
