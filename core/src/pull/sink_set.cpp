#include "pull/sink_set.hpp"

#include <exception>

#include "output/follows_downloads.hpp"

namespace boxtool::pull {

SinkSet::SinkSet(const std::vector<std::shared_ptr<OutputSink>>& sinks, PullControl& control,
                 ProgressChannel& progress, const Reference& candidate)
    : control_(control), progress_(progress), candidate_(candidate) {
    for (const auto& s : sinks)
        if (s) sinks_.push_back(s);
}

SinkSet::~SinkSet() {
    abort();
}

Error SinkSet::located(Error e) const {
    if (e.registry.empty()) e.registry = candidate_.registry;
    if (e.repository.empty()) e.repository = candidate_.repository;
    return e;
}

Error SinkSet::thrown_by(const OutputSink& sink, const char* call, const char* what) const {
    // Sinks report failures as Results; an exception is a bug in the sink, said as such.
    return located(Error{ErrorKind::Internal,
                         "the output " + sink.describe() + " threw from " + call + ": " + what,
                         {},
                         {},
                         "output sinks must return errors, not throw them; fix the sink"});
}

void SinkSet::prepare(const ResolvedImage& image) {
    std::lock_guard lock(mutex_);
    candidate_ = image.reference;
    for (std::size_t i = 0; i < sinks_.size(); ++i) {
        Result<void> r;
        try {
            r = sinks_[i]->prepare(image, *this);
        } catch (const std::exception& e) {
            r = thrown_by(*sinks_[i], "prepare", e.what());
        }
        if (!r) {
            for (std::size_t j = 0; j <= i; ++j) sinks_[j]->abort();
            throw Failure(located(r.error()));
        }
    }
    prepared_ = true;
}

void SinkSet::blob_stored(const StoredBlob& blob) noexcept {
    std::lock_guard lock(mutex_);
    if (!prepared_ || control_.stopped()) return;
    for (const auto& sink : sinks_) {
        Result<void> r;
        try {
            r = sink->blob_stored(blob);
        } catch (const std::exception& e) {
            r = thrown_by(*sink, "blob_stored", e.what());
        }
        if (!r) {
            control_.fail(located(r.error()));
            return;
        }
    }
}

bool SinkSet::follows_downloads() const {
    for (const auto& sink : sinks_)
        if (dynamic_cast<const output::FollowsDownloads*>(sink.get())) return true;
    return false;
}

void SinkSet::blob_arriving(const std::shared_ptr<ArrivingBlob>& blob) noexcept {
    std::lock_guard lock(mutex_);
    if (!prepared_ || control_.stopped()) return;
    for (const auto& sink : sinks_)
        if (auto* follower = dynamic_cast<output::FollowsDownloads*>(sink.get()))
            follower->blob_arriving(blob);
}

std::vector<OutputReport> SinkSet::finish() {
    std::lock_guard lock(mutex_);
    std::vector<OutputReport> reports;
    for (std::size_t i = 0; i < sinks_.size(); ++i) {
        Result<OutputReport> r = Error{};
        try {
            r = sinks_[i]->finish();
        } catch (const std::exception& e) {
            r = thrown_by(*sinks_[i], "finish", e.what());
        }
        if (!r) {
            // The ones already finished stay: each was published atomically and is complete.
            for (std::size_t j = i; j < sinks_.size(); ++j) sinks_[j]->abort();
            prepared_ = false;
            throw Failure(located(r.error()));
        }
        reports.push_back(std::move(*r));
    }
    prepared_ = false;
    return reports;
}

void SinkSet::abort() noexcept {
    std::lock_guard lock(mutex_);
    if (!prepared_) return;
    for (const auto& sink : sinks_) sink->abort();
    prepared_ = false;
}

void SinkSet::fail(Error error) {
    control_.fail(located(std::move(error)));
}

void SinkSet::report(ProgressEvent event) {
    event.registry = candidate_.registry;
    event.repository = candidate_.repository;
    progress_.post(std::move(event));
}

}  // namespace boxtool::pull
