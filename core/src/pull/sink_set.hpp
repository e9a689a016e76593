// The output sinks of one pull, driven in step: each call goes to every sink in turn, one call at
// a time (the sinks never see two calls at once, although blobs arrive on download threads), and
// a sink's failure stops the pull through its PullControl instead of an exception thrown back
// through the downloads.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "boxtool/output_sink.hpp"
#include "pull/progress_channel.hpp"
#include "pull/pull_control.hpp"
#include "store/arriving_blob.hpp"

namespace boxtool::pull {

class SinkSet final : public SinkContext {
  public:
    SinkSet(const std::vector<std::shared_ptr<OutputSink>>& sinks, PullControl& control,
            ProgressChannel& progress, const Reference& candidate);
    ~SinkSet() override;  // aborts sinks still prepared

    bool empty() const { return sinks_.empty(); }
    // Whether a sink reads blobs as they arrive (blob_arriving).
    bool follows_downloads() const;
    // Throws the first sink's Error (after aborting the ones already prepared).
    void prepare(const ResolvedImage& image);
    // From download threads. A failure goes to PullControl::fail(); nothing is thrown.
    void blob_stored(const StoredBlob& blob) noexcept;
    // From download threads: offered to the sinks that read blobs as they arrive.
    void blob_arriving(const std::shared_ptr<ArrivingBlob>& blob) noexcept;
    // Every sink's report, in order; throws the first failure after aborting the rest.
    std::vector<OutputReport> finish();
    void abort() noexcept;

    // SinkContext
    std::stop_token stop_token() const override { return control_.token(); }
    void fail(Error error) override;
    void report(ProgressEvent event) override;

  private:
    Error located(Error error) const;
    Error thrown_by(const OutputSink& sink, const char* call, const char* what) const;

    std::vector<std::shared_ptr<OutputSink>> sinks_;
    PullControl& control_;
    ProgressChannel& progress_;
    Reference candidate_;
    std::mutex mutex_;
    bool prepared_ = false;
};

}  // namespace boxtool::pull
