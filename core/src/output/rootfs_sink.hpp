// rootfs:DIR: the image's layers unpacked, in order, into a private directory beside DIR while the
// pull is still downloading, and the directory renamed to DIR once every layer is applied.
//
// Streaming: the engine downloads several blobs at once into the store and hands each to
// blob_stored() as it is verified. The sink's unpack thread waits for the config, then for layer
// 0, 1, 2... in order, and applies each as soon as it is stored, decompressing as it reads: layer
// N is unpacked while layers N+1... still download. (It reads the committed blob rather than the
// network stream: a verified blob is never unpacked twice after a retried download, and a layer
// already in the store costs no download.) A hostile or malformed layer fails the pull through
// SinkContext::fail(), which stops the downloads still running.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "boxtool/output.hpp"
#include "output/blob_files.hpp"

namespace boxtool::output {

// Throws Failure(Io) unless `dir` is missing or an empty directory (checked before downloading).
void check_rootfs_target(const std::filesystem::path& dir);

class RootfsSink final : public OutputSink {
  public:
    explicit RootfsSink(OutputSpec spec);
    ~RootfsSink() override;  // as abort()
    std::string describe() const override { return to_string(spec_); }
    Result<void> prepare(const ResolvedImage& image, SinkContext& context) override;
    Result<void> blob_stored(const StoredBlob& blob) override;
    // Waits for the unpack, then publishes DIR. The warnings say what a rootless unpack skipped.
    Result<OutputReport> finish() override;
    void abort() noexcept override;

  private:
    void unpack();  // the unpack thread
    // Waits until `digest` was stored; nullopt when the pull stopped.
    std::optional<std::filesystem::path> wait_for(const Digest& digest);

    OutputSpec spec_;
    std::filesystem::path target_;
    bool rootless_;
    SinkContext* context_ = nullptr;
    std::optional<ResolvedImage> image_;
    std::filesystem::path temp_;
    int root_fd_ = -1;

    // Stops the unpack thread: requested by abort(), and whenever the pull stops.
    std::stop_source stop_;
    std::optional<std::stop_callback<std::function<void()>>> pull_stopped_;
    std::mutex mutex_;
    std::condition_variable_any arrived_;
    BlobFiles blobs_;
    bool finished_ = false;  // the unpack thread applied every layer
    std::optional<Error> failure_;
    std::vector<std::string> warnings_;
    std::jthread thread_;
};

}  // namespace boxtool::output
