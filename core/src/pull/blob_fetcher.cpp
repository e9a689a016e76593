#include "pull/blob_fetcher.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "http/transport_failure.hpp"
#include "pull/resolver.hpp"

namespace boxtool::pull {
namespace {

constexpr int kDefaultJobs = 4;
constexpr std::uint64_t kProgressStep = 256 * 1024;

// Whether a Content-Range header ("bytes 100-999/1000") starts at `offset`.
bool range_starts_at(const std::string& content_range, std::uint64_t offset) {
    return content_range.rfind("bytes " + std::to_string(offset) + "-", 0) == 0;
}

bool is_retryable_blob_failure(const Failure& f) {
    if (auto t = dynamic_cast<const http::TransportFailure*>(&f)) return t->transient();
    auto k = f.error().kind;
    return k == ErrorKind::ServerError || k == ErrorKind::TooManyRequests || k == ErrorKind::DigestMismatch ||
           k == ErrorKind::SizeMismatch;
}

// What the download threads of one pull share.
struct Download {
    const Store& store;
    registry::RegistrySession& session;
    const Reference& ref;
    const FetchOptions& options;
    ProgressReporter& report;
    std::atomic<bool> cancel{false};  // another blob failed: stop the rest
    std::atomic<std::uint64_t> totals_bytes{0};
    std::atomic<int> totals_downloaded{0};
    std::atomic<int> totals_cached{0};

    void fetch(const Descriptor& blob);
};

void Download::fetch(const Descriptor& blob) {
    auto digest = parse_digest(blob.digest).value();
    ProgressEvent ev{ProgressEvent::Type::BlobCached,
                     ref.registry,
                     ref.repository,
                     blob.digest,
                     blob.media_type,
                     blob.size,
                     blob.size,
                     {}};
    auto already_stored = [&] {
        if (!store.contains(digest)) return false;
        ++totals_cached;
        report(ev);
        if (options.on_stored) options.on_stored(blob);
        return true;
    };
    if (already_stored()) return;
    // Another process may be fetching the same blob: wait for it rather than download twice.
    auto lock = store.lock(digest);
    if (already_stored()) return;
    ev.type = ProgressEvent::Type::BlobStart;
    ev.current = 0;
    report(ev);
    bool retried_integrity = false;
    // One writer across attempts: after a transient failure the download resumes where it
    // stopped (a Range request), unless the registry answers with the whole blob.
    std::optional<Store::Writer> writer;
    for (int attempt = 0;; ++attempt) {
        try {
            if (!writer || !writer->is_open()) writer.emplace(store, digest, blob.size);
            const std::uint64_t offset = writer->written();
            std::uint64_t last_report = offset;
            auto on_response = [&](const http::Response& resp) {
                if (offset == 0 || resp.status == 200) {
                    if (offset > 0) writer->restart();
                    return;
                }
                if (resp.status != 206 || !range_starts_at(resp.header("Content-Range"), offset)) {
                    writer->restart();
                    throw Failure(ErrorKind::ServerError, "the registry answered a resumed download of " +
                                                              blob.digest + " with the wrong range (" +
                                                              resp.header("Content-Range") + ")");
                }
            };
            session.get_blob(ref.repository, blob, offset, on_response, [&](const char* data, std::size_t n) {
                check_interrupt(options.interrupt);
                if (cancel) throw Failure(ErrorKind::Internal, "cancelled because another download failed");
                writer->write(data, n);
                if (writer->written() - last_report >= kProgressStep) {
                    last_report = writer->written();
                    report({ProgressEvent::Type::BlobProgress,
                            ref.registry,
                            ref.repository,
                            blob.digest,
                            blob.media_type,
                            writer->written(),
                            blob.size,
                            {}});
                }
            });
            writer->commit();
            totals_bytes += writer->written();
            ++totals_downloaded;
            ev.type = ProgressEvent::Type::BlobDone;
            ev.current = blob.size;
            report(ev);
            if (options.on_stored) options.on_stored(blob);
            return;
        } catch (const Failure& f) {
            bool integrity =
                f.error().kind == ErrorKind::DigestMismatch || f.error().kind == ErrorKind::SizeMismatch;
            if (cancel || !is_retryable_blob_failure(f) || attempt >= options.retries ||
                (integrity && retried_integrity))
                throw Failure(with_location(f.error(), ref));
            retried_integrity = retried_integrity || integrity;
            // `current` says where the next attempt resumes (0: from the start).
            report({ProgressEvent::Type::BlobRetry, ref.registry, ref.repository, blob.digest,
                    blob.media_type, writer && writer->is_open() ? writer->written() : 0, blob.size,
                    f.error().message});
            std::this_thread::sleep_for(std::chrono::milliseconds(200LL << attempt));
        }
    }
}

}  // namespace

void check_interrupt(const std::atomic<bool>* interrupt) {
    if (interrupt && interrupt->load())
        throw Failure(ErrorKind::Cancelled, "pull interrupted; nothing partial was kept");
}

std::vector<Descriptor> unique_blobs(const Manifest& manifest) {
    std::vector<Descriptor> out{manifest.config};
    std::set<std::string> seen{manifest.config.digest};
    for (const auto& layer : manifest.layers)
        if (seen.insert(layer.digest).second) out.push_back(layer);
    return out;
}

FetchTotals fetch_blobs(const Store& store, registry::RegistrySession& session, const Reference& ref,
                        const Manifest& manifest, const FetchOptions& options, ProgressReporter& report) {
    const std::vector<Descriptor> blobs = unique_blobs(manifest);
    Download download{store, session, ref, options, report};
    std::atomic<std::size_t> next{0};
    std::mutex error_mutex;
    std::optional<Error> first_error;
    auto worker = [&] {
        for (std::size_t i; !download.cancel && (i = next++) < blobs.size();) {
            try {
                check_interrupt(options.interrupt);
                download.fetch(blobs[i]);
            } catch (const Failure& f) {
                std::lock_guard lock(error_mutex);
                if (!first_error) first_error = f.error();
                download.cancel = true;
            } catch (const std::exception& e) {
                std::lock_guard lock(error_mutex);
                if (!first_error) first_error = Error{ErrorKind::Internal, e.what()};
                download.cancel = true;
            }
        }
    };
    int n = std::clamp(options.jobs <= 0 ? kDefaultJobs : options.jobs, 1, 64);
    n = std::min<int>(n, static_cast<int>(blobs.size()));
    std::vector<std::thread> threads;
    for (int i = 1; i < n; ++i) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    if (first_error) throw Failure(*first_error);
    return FetchTotals{download.totals_bytes, download.totals_downloaded, download.totals_cached};
}

}  // namespace boxtool::pull
