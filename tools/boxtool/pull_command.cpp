#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "debug_log.hpp"
#include "engine_setup.hpp"
#include "exit_codes.hpp"
#include "help_text.hpp"
#include "interrupt.hpp"
#include "json_events.hpp"
#include "progress_view.hpp"
#include "stack_pull.hpp"
#include "terminal_text.hpp"
#include "unpack_flags.hpp"

namespace boxtool::cli {
namespace {

ProgressMode progress_mode(const Args& args) {
    if (args.has("-q") || args.has("--quiet")) return ProgressMode::Quiet;
    std::string m = args.last("--progress").value_or("auto");
    if (m == "auto") return ::isatty(STDERR_FILENO) ? ProgressMode::Tty : ProgressMode::Plain;
    if (m == "tty") return ProgressMode::Tty;
    if (m == "plain") return ProgressMode::Plain;
    if (m == "json") return ProgressMode::Json;
    if (m == "none") return ProgressMode::Quiet;
    throw Failure(ErrorKind::InvalidArgument,
                  "--progress must be auto, tty, plain, json or none, not \"" + m + "\"");
}

}  // namespace

FlagSpec pull_flags() {
    FlagSpec spec = registry_flags();
    spec.with_value.insert({"--output", "--jobs", "--progress", "--compose", "--parallel"});
    spec.switches.insert({"-q", "--quiet", "-h", "--help", "--explain"});
    add_unpack_flags(spec);
    return spec;
}

namespace {

int pull_one(const Args& args, ProgressMode mode, PullOptions options);

}  // namespace

int pull_command(const std::vector<std::string>& argv) {
    Args args(argv, pull_flags());
    if (args.has("-h") || args.has("--help")) {
        std::printf("%s\n%s", kPullHelp, kRegistryFlagsHelp);
        return kOk;
    }
    PullOptions options;
    if (auto jobs = args.last("--jobs")) {
        try {
            std::size_t used = 0;
            options.jobs = std::stoi(*jobs, &used);
            if (used != jobs->size() || options.jobs < 1 || options.jobs > 64)
                throw std::out_of_range("jobs");
        } catch (const std::exception&) {
            throw Failure(ErrorKind::InvalidArgument, "--jobs must be a whole number from 1 to 64");
        }
    }
    ProgressMode mode = progress_mode(args);
    // Debug lines come from the engine's threads at any time: bars redrawn in place would tear them.
    if (mode == ProgressMode::Tty && debug_wanted(args)) mode = ProgressMode::Plain;
    if (args.has("--compose")) return pull_stack(args, mode, options.jobs);
    if (args.has("--parallel")) throw UsageError("--parallel goes with --compose");
    if (args.positionals().size() != 1)
        throw UsageError("pull takes exactly one image reference (or --compose FILE)");
    if (mode != ProgressMode::Json) return pull_one(args, mode, std::move(options));
    // A program reading JSON lines learns how the run ended from the stream itself.
    try {
        return pull_one(args, mode, std::move(options));
    } catch (const Failure& f) {
        std::printf("%s\n", json_printable(
                                error_event(args.positionals()[0], f.error(), exit_code_for(f.error().kind)))
                                .c_str());
        std::fflush(stdout);
        throw;
    }
}

namespace {

int pull_one(const Args& args, ProgressMode mode, PullOptions options) {
    const std::string& ref = args.positionals()[0];
    auto parsed = parse_reference(ref);
    if (!parsed) throw Failure(parsed.error());
    std::optional<OutputSpec> output;
    if (auto out = args.last("--output")) {
        output = parse_output_spec(*out).value();
        apply_unpack_flags(args, *output);
    }
    Setup setup = make_setup(args, *parsed);
    options.platform = setup.platform;

    // The output is chosen here, not by the engine; its target is checked before any download.
    if (output) options.outputs.push_back(make_output(*output).value());
    Engine engine(setup.engine);
    if (args.has("--explain")) {
        // On stdout, except when stdout carries only JSON events.
        int code = print_explanation(engine, ref, setup, mode == ProgressMode::Json ? stderr : stdout, true);
        if (code != kOk) return code;
    }
    auto view = make_progress_view(mode, mode == ProgressMode::Json ? stdout : stderr);
    // Quiet: no callback at all, so download threads do not hand events to this thread only for
    // them to be dropped (a wake-up per event: half the context switches of a 100-blob pull).
    if (mode != ProgressMode::Quiet) options.progress = [&](const ProgressEvent& e) { view->on_event(e); };
    InterruptWatcher interrupt;
    options.stop = interrupt.token();
    auto result = engine.pull(ref, options);
    view->finish();
    if (!result) throw Failure(result.error());

    const PullResult& r = *result;
    Digest written = r.manifest_digest;
    for (const auto& out : r.outputs) {
        for (const auto& warning : out.warnings)
            std::fprintf(stderr, "warning: %s\n", printable(warning).c_str());
        if (out.written_manifest) written = *out.written_manifest;
    }
    if (mode == ProgressMode::Json) {
        // The reference and digests come from the registry: escaped for the terminal, still JSON.
        std::printf("%s\n", json_printable(pulled_event(ref, r, written)).c_str());
        return kOk;
    }
    std::printf("Pulled %s\n", printable(r.reference.str(), false).c_str());
    std::printf("Digest: %s\n", r.digest.str().c_str());
    std::printf("Manifest: %s%s\n", r.manifest_digest.str().c_str(),
                r.platform ? (" (" + r.platform->str() + ")").c_str() : "");
    for (const auto& out : r.outputs) {
        std::printf("Output: %s\n", printable(out.where, false).c_str());
        if (out.written_manifest)
            std::printf("Output manifest: %s (converted to OCI media types)\n",
                        out.written_manifest->str().c_str());
    }
    if (mode != ProgressMode::Quiet)
        std::fprintf(stderr, "downloaded %d blob(s), %s; %d already in the store\n", r.blobs_downloaded,
                     human_bytes(r.bytes_downloaded).c_str(), r.blobs_cached);
    return kOk;
}

}  // namespace

}  // namespace boxtool::cli
