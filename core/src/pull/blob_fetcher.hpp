// Downloads the blobs of a manifest that the store lacks, several at once, each streamed through
// its digest into the store, retried and resumed on transient failures.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "boxtool/manifest.hpp"
#include "boxtool/reference.hpp"
#include "boxtool/store.hpp"
#include "pull/progress_reporter.hpp"
#include "registry/registry_session.hpp"

namespace boxtool::pull {

struct FetchOptions {
    int jobs = 0;  // concurrent downloads; 0: the default
    int retries = 3;
    const std::atomic<bool>* interrupt = nullptr;
    // Called (from a download thread) once a blob is in the store, downloaded or found there: lets
    // an output start on it while other blobs still download. If it throws, downloads not yet
    // started are not started, and fetch_blobs throws that failure.
    std::function<void(const Descriptor&)> on_stored;
};

struct FetchTotals {
    std::uint64_t bytes = 0;
    int downloaded = 0;
    int cached = 0;
};

// Config first, then layers, each digest once (an image may repeat a layer, e.g. an empty one).
std::vector<Descriptor> unique_blobs(const Manifest& manifest);

// Throws the first failure after the other downloads have stopped.
FetchTotals fetch_blobs(const Store& store, registry::RegistrySession& session, const Reference& reference,
                        const Manifest& manifest, const FetchOptions& options, ProgressReporter& report);

// Throws Failure(Cancelled) once the caller has asked the pull to stop.
void check_interrupt(const std::atomic<bool>* interrupt);

}  // namespace boxtool::pull
