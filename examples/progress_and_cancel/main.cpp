// Progress events and cancellation: prints every event as a JSON line (what `boxtool pull
// --progress json` prints) and cancels the pull from another thread after a number of bytes, or
// at Ctrl-C. Events arrive on the thread that called pull(), so the callback needs no locks.
//
//   progress_and_cancel REFERENCE STORE_DIR OUTPUT [INSECURE_REGISTRY] [--cancel-after BYTES]
//   progress_and_cancel localhost:5000/team/app:1 /tmp/store rootfs:/tmp/app localhost:5000
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <boxtool/engine.hpp>
#include <boxtool/output.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace {
int g_signal_pipe[2];
extern "C" void on_signal(int) {
    char b = 1;
    [[maybe_unused]] auto n = ::write(g_signal_pipe[1], &b, 1);  // async-signal-safe; request_stop is not
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr,
                     "usage: %s REFERENCE STORE_DIR OUTPUT [INSECURE_REGISTRY] [--cancel-after BYTES]\n",
                     argv[0]);
        return 2;
    }
    boxtool::EngineOptions engine_options;
    engine_options.store_root = argv[2];
    long long cancel_after = -1;
    for (int i = 4; i < argc; ++i) {
        if (std::strcmp(argv[i], "--cancel-after") == 0 && i + 1 < argc)
            cancel_after = std::stoll(argv[++i]);
        else
            engine_options.insecure_registries.push_back(argv[i]);
    }
    boxtool::Engine engine(engine_options);

    auto spec = boxtool::parse_output_spec(argv[3]);
    if (!spec) return std::fprintf(stderr, "%s\n", spec.error().describe().c_str()), 2;
    auto sink = boxtool::make_output(*spec);  // refuses a target that cannot work, before any download
    if (!sink) return std::fprintf(stderr, "%s\n", sink.error().describe().c_str()), 1;

    std::stop_source stop;
    // Ctrl-C: the handler writes to a pipe; this thread reads it and asks the pull to stop.
    if (::pipe(g_signal_pipe) != 0) return 1;
    ::signal(SIGINT, on_signal);
    std::jthread watcher([&](std::stop_token done) {
        pollfd p{g_signal_pipe[0], POLLIN, 0};
        while (!done.stop_requested())
            if (::poll(&p, 1, 100) > 0) {
                stop.request_stop();
                return;
            }
    });

    boxtool::PullOptions options;
    options.outputs.push_back(*sink);
    options.stop = stop.get_token();
    options.progress = [&](const boxtool::ProgressEvent& e) {
        using Type = boxtool::ProgressEvent::Type;
        std::printf("%s\n", boxtool::to_json(e).c_str());
        bool downloading =
            e.type == Type::BlobStart || e.type == Type::BlobProgress || e.type == Type::BlobDone;
        if (cancel_after >= 0 && downloading && e.current >= static_cast<unsigned long long>(cancel_after))
            stop.request_stop();  // from any thread; here, the callback's own
    };
    auto pulled = engine.pull(argv[1], options);
    if (!pulled) {
        std::fprintf(stderr, "%s: %s\n", boxtool::to_string(pulled.error().kind),
                     pulled.error().describe().c_str());
        return pulled.error().kind == boxtool::ErrorKind::Cancelled ? 130 : 1;
    }
    for (const auto& out : pulled->outputs) std::printf("wrote %s\n", out.where.c_str());
    return 0;
}
