// Downloads the blobs of a manifest that the store lacks, several at once, each streamed through
// its digest into the store, retried and resumed on transient failures.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <vector>

#include "boxtool/manifest.hpp"
#include "boxtool/output_sink.hpp"
#include "boxtool/reference.hpp"
#include "pull/progress_channel.hpp"
#include "registry/registry_session.hpp"
#include "store/arriving_blob.hpp"
#include "store/store.hpp"

namespace boxtool::pull {

struct FetchOptions {
    int jobs = 0;  // concurrent downloads; 0: the default
    int retries = 3;
    std::stop_token stop;  // the pull's: once stopped, no download starts and running ones end
    // Called once a blob is in the store, downloaded or found there, from a download thread: lets
    // the outputs start on it while other blobs still download. Must not throw; a consumer that
    // fails stops the pull through `stop`.
    std::function<void(const StoredBlob&)> on_stored;
    // Called when a download starts writing into the store, from its download thread, with what
    // lets a consumer read the blob as it arrives (and tells it when the blob is stored, abandoned
    // or started over). Not called for blobs found in the store. Must not throw.
    std::function<void(std::shared_ptr<ArrivingBlob>)> on_arriving;
    // An output reads downloads as they arrive (see DownloadSlots): with the default `jobs`, large
    // downloads then start one at a time and more only while the CPU has room.
    bool pace_for_followers = false;
};

struct FetchTotals {
    std::uint64_t bytes = 0;
    int downloaded = 0;
    int cached = 0;
};

// Runs on the pull's calling thread, which delivers progress events while download threads work.
// Throws the first download failure after the other downloads have stopped, or Failure(Cancelled)
// when `stop` was requested.
FetchTotals fetch_blobs(const Store& store, registry::RegistrySession& session, const Reference& reference,
                        const Manifest& manifest, const FetchOptions& options, ProgressChannel& progress);

}  // namespace boxtool::pull
