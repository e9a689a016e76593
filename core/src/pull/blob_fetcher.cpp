#include "pull/blob_fetcher.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "http/retry_policy.hpp"
#include "http/transport_failure.hpp"
#include "pull/download_slots.hpp"
#include "pull/resolver.hpp"
#include "util/stopping.hpp"

namespace boxtool::pull {
namespace {

constexpr int kDefaultJobs = 4;
constexpr int kMaxJobs = 64;
constexpr std::uint64_t kSmallBlob = 1024 * 1024;  // below: bound by latency, not bandwidth
constexpr int kSmallPerJob = 4;                    // small downloads per job beside the large ones
// Progress events per download: every MiB is smooth enough for any display (100 a second at
// 100 MB/s) and keeps the hand-overs to the progress thread few.
constexpr std::uint64_t kProgressStep = 1024 * 1024;

// Whether a Content-Range header ("bytes 100-999/1000") starts at `offset`.
bool range_starts_at(const std::string& content_range, std::uint64_t offset) {
    return content_range.rfind("bytes " + std::to_string(offset) + "-", 0) == 0;
}

// What the download threads of one pull share.
struct Download {
    const Store& store;
    registry::RegistrySession& session;
    const Reference& ref;
    const FetchOptions& options;
    ProgressChannel& progress;
    // Stops with the pull, and also when one download failed: its siblings then stop too.
    std::stop_source siblings;
    std::atomic<std::uint64_t> totals_bytes{0};
    std::atomic<int> totals_downloaded{0};
    std::atomic<int> totals_cached{0};

    void fetch(const Descriptor& blob);
    void report(ProgressEvent::Type type, const Descriptor& blob, std::uint64_t current) {
        ProgressEvent e;
        e.type = type;
        e.registry = ref.registry;
        e.repository = ref.repository;
        e.digest = blob.digest;
        e.media_type = blob.media_type;
        e.current = current;
        e.total = blob.size;
        progress.post(std::move(e));
    }
    void stored(const Descriptor& blob, bool downloaded) {
        if (options.on_stored) options.on_stored(StoredBlob{blob, store.blob_path(blob.digest), downloaded});
    }
};

void Download::fetch(const Descriptor& blob) {
    const std::stop_token stop = siblings.get_token();
    // A copy already in the store is reused only once it checks out: ours, the right size, and
    // hashing to its digest (a verified-at record spares the hash when nothing changed). A bad
    // copy is removed, said so, and downloaded again.
    auto already_stored = [&] {
        std::string why;
        auto state = store.check_blob(blob.digest, blob.size, &why);
        if (state == Store::BlobState::Discarded) {
            ProgressEvent e;
            e.type = ProgressEvent::Type::BlobDiscarded;
            e.registry = ref.registry;
            e.repository = ref.repository;
            e.digest = blob.digest;
            e.media_type = blob.media_type;
            e.total = blob.size;
            e.message = why;
            progress.post(std::move(e));
        }
        if (state != Store::BlobState::Verified) return false;
        ++totals_cached;
        report(ProgressEvent::Type::BlobCached, blob, blob.size);
        stored(blob, false);
        return true;
    };
    if (already_stored()) return;
    // Another process may be fetching the same blob: wait for it rather than download twice.
    auto lock = store.lock(blob.digest);
    if (already_stored()) return;
    // One writer across attempts (and across processes: it continues a partial that an earlier,
    // maybe killed, pull left in the store's ingest area): after a transient failure the download
    // resumes where it stopped with a Range request.
    std::optional<Store::Writer> writer;
    writer.emplace(store, blob.digest, blob.size);
    // A consumer may read the blob as it arrives (the rootfs output unpacks while downloading): it
    // follows the ingest file and is told when the blob is stored, started over or given up.
    std::shared_ptr<ArrivingBlob> arriving;
    if (options.on_arriving) {
        arriving = std::make_shared<ArrivingBlob>(blob);
        arriving->writing(writer->fd(), writer->written());
        options.on_arriving(arriving);
    }
    struct AbandonUnlessStored {
        std::shared_ptr<ArrivingBlob>& arriving;
        ~AbandonUnlessStored() {
            if (arriving) arriving->abandoned();  // no effect once stored
        }
    } abandon_unless_stored{arriving};
    auto committed = [&] {
        if (arriving) arriving->stored();
        ++totals_downloaded;
        report(ProgressEvent::Type::BlobDone, blob, blob.size);
        stored(blob, true);
    };
    report(ProgressEvent::Type::BlobStart, blob, writer->written());
    const http::RetryPolicy policy = session.retry_policy();
    bool retried_integrity = false;
    int failures = 0;    // attempts that failed without moving the download forward
    int progressed = 0;  // attempts that failed after getting some bytes further
    constexpr int kMaxProgressedAttempts = 16;
    for (int attempt = 0;; ++attempt) {
        std::uint64_t before = 0;
        try {
            util::throw_if_stopped(stop);
            if (!writer || !writer->is_open()) {
                writer.emplace(store, blob.digest, blob.size);
                if (arriving) arriving->writing(writer->fd(), writer->written());
            }
            before = writer->written();
            if (writer->written() == blob.size) {
                // Every byte is there already (an earlier attempt or process got this far).
                report(ProgressEvent::Type::BlobVerifying, blob, writer->written());
                writer->commit();
                committed();
                return;
            }
            const std::uint64_t offset = writer->written();
            std::uint64_t last_report = offset;
            // A registry that ignores Range answers 200 with the whole blob: the bytes already
            // held are skipped, not written again (the digest check at the end covers them).
            std::uint64_t skip = 0;
            auto on_response = [&](const http::Response& resp) {
                if (offset == 0) return;
                if (resp.status == 200) {
                    skip = offset;
                    return;
                }
                if (resp.status != 206 || !range_starts_at(resp.header("Content-Range"), offset)) {
                    writer->restart();
                    if (arriving) arriving->restarted();
                    throw Failure(ErrorKind::ServerError, "the registry answered a resumed download of " +
                                                              blob.digest.str() + " with the wrong range (" +
                                                              resp.header("Content-Range") + ")");
                }
            };
            session.get_blob(
                ref.repository, blob, offset, on_response,
                [&](const char* data, std::size_t n) {
                    util::throw_if_stopped(stop);
                    totals_bytes += n;
                    if (skip > 0) {
                        std::size_t drop = static_cast<std::size_t>(std::min<std::uint64_t>(skip, n));
                        skip -= drop;
                        data += drop;
                        n -= drop;
                        if (n == 0) return;
                    }
                    writer->write(data, n);
                    if (arriving) arriving->wrote(writer->written());
                    if (writer->written() - last_report >= kProgressStep) {
                        last_report = writer->written();
                        report(ProgressEvent::Type::BlobProgress, blob, writer->written());
                    }
                },
                stop);
            report(ProgressEvent::Type::BlobVerifying, blob, writer->written());
            writer->commit();
            committed();
            return;
        } catch (const Failure& f) {
            bool integrity =
                f.error().kind == ErrorKind::DigestMismatch || f.error().kind == ErrorKind::SizeMismatch;
            // An attempt that got further does not use up the retries: on a flaky network a large
            // blob may need many short steps, each resumed where the last one broke.
            bool moved = writer && writer->is_open() && writer->written() > before && !integrity;
            if (moved)
                ++progressed;
            else
                ++failures;
            if (stop.stop_requested() || !http::RetryPolicy::transient(f) || failures > options.retries ||
                progressed > kMaxProgressedAttempts || (integrity && retried_integrity))
                throw Failure(with_location(f.error(), ref));
            retried_integrity = retried_integrity || integrity;
            // `current` says where the next attempt resumes (0: from the start).
            ProgressEvent e;
            e.type = ProgressEvent::Type::BlobRetry;
            e.registry = ref.registry;
            e.repository = ref.repository;
            e.digest = blob.digest;
            e.media_type = blob.media_type;
            e.current = writer && writer->is_open() ? writer->written() : 0;
            e.total = blob.size;
            e.attempt = attempt + 1;
            e.error = f.error();
            e.message = f.error().message;
            progress.post(std::move(e));
            util::sleep_unless_stopped(policy.delay(moved ? 0 : failures - 1, nullptr), stop);
        }
    }
}

}  // namespace

FetchTotals fetch_blobs(const Store& store, registry::RegistrySession& session, const Reference& ref,
                        const Manifest& manifest, const FetchOptions& options, ProgressChannel& progress) {
    const std::vector<Descriptor> blobs = blobs_of(manifest);
    Download download{store, session, ref, options, progress};
    std::stop_callback pull_stopped(options.stop, [&] { download.siblings.request_stop(); });
    std::atomic<std::size_t> next{0};
    std::mutex error_mutex;
    std::optional<Error> first_error;
    const int jobs = std::clamp(options.jobs <= 0 ? kDefaultJobs : options.jobs, 1, kMaxJobs);
    // By default, large blobs (bound by bandwidth and CPU: hashing, writing) run `jobs` at once and
    // small ones (bound by the registry's answer time) up to kSmallPerJob times as many beside them:
    // a hundred small layers then cost about what curl fetching them 16 at a time does. A number
    // the caller chose is the number of downloads at once, whatever their size.
    const auto small_blobs =
        std::count_if(blobs.begin(), blobs.end(), [](const Descriptor& d) { return d.size < kSmallBlob; });
    const bool boost_small = options.jobs <= 0 && small_blobs > jobs;
    int n = boost_small ? std::min(jobs * kSmallPerJob, kMaxJobs) : jobs;
    n = std::min<int>(n, static_cast<int>(blobs.size()));
    // Large downloads wait for a slot; with a default `jobs` and an output that unpacks layers as
    // they arrive, the slots open one by one while the CPU has room (see DownloadSlots).
    DownloadSlots large_slots(jobs, options.jobs <= 0 && options.pace_for_followers);
    auto worker = [&] {
        const std::stop_token stop = download.siblings.get_token();
        for (std::size_t i; !stop.stop_requested() && (i = next++) < blobs.size();) {
            const bool large = blobs[i].size >= kSmallBlob || !boost_small;
            if (large && !large_slots.acquire(stop, blobs[i].size >= kSmallBlob, i)) return;
            // Given back however the download ends.
            struct SlotHeld {
                DownloadSlots* slots;
                ~SlotHeld() {
                    if (slots) slots->release();
                }
            } held{large ? &large_slots : nullptr};
            try {
                download.fetch(blobs[i]);
            } catch (const Failure& f) {
                std::lock_guard lock(error_mutex);
                // A sibling's failure is the news; the Cancelled it caused in others is not.
                if (!first_error || first_error->kind == ErrorKind::Cancelled) first_error = f.error();
                download.siblings.request_stop();
            } catch (const std::exception& e) {
                std::lock_guard lock(error_mutex);
                if (!first_error) first_error = Error{ErrorKind::Internal, e.what()};
                download.siblings.request_stop();
            }
        }
    };
    std::atomic<int> running{n};
    std::vector<std::jthread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&] {
            worker();
            --running;
            progress.wake();
        });
    // The calling thread delivers progress events until every download thread is done.
    progress.pump_until([&] { return running.load() == 0; });
    threads.clear();  // joins
    util::throw_if_stopped(options.stop);
    if (first_error) throw Failure(*first_error);
    return FetchTotals{download.totals_bytes, download.totals_downloaded, download.totals_cached};
}

}  // namespace boxtool::pull
