// rootfs:DIR: the image's layers unpacked, in order, into a private directory beside DIR while the
// pull is still downloading, and the directory renamed to DIR once every layer is applied.
//
// Streaming: the engine downloads several blobs at once into the store. The sink's unpack thread
// waits for the config, then takes layer 0, 1, 2... in order: a layer already stored is read from
// the store; a layer still downloading is read as it arrives (FollowedBlobSource), decompressed and
// unpacked right behind the download, so the last byte downloaded is nearly the last one unpacked
// and the blob is not read back from the store. Bytes read before the download is verified are
// unverified: the tree stays private, a layer is finished only once its download is stored (and
// its diff_id checked), and if a followed download starts over (a restart, a copy that failed its
// digest) the tree is emptied and unpacked again from verified blobs only. A hostile or malformed
// layer fails the pull through SinkContext::fail(), which stops the downloads still running.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "boxtool/output.hpp"
#include "output/blob_files.hpp"
#include "output/follows_downloads.hpp"

namespace boxtool::output {

// Throws Failure(Io) unless `dir` is missing or an empty directory (checked before downloading).
void check_rootfs_target(const std::filesystem::path& dir);

class RootfsSink final : public OutputSink, public FollowsDownloads {
  public:
    explicit RootfsSink(OutputSpec spec);
    ~RootfsSink() override;  // as abort()
    std::string describe() const override { return to_string(spec_); }
    Result<void> prepare(const ResolvedImage& image, SinkContext& context) override;
    Result<void> blob_stored(const StoredBlob& blob) override;
    // Waits for the unpack, then publishes DIR. The warnings say what a rootless unpack skipped.
    Result<OutputReport> finish() override;
    void abort() noexcept override;
    // FollowsDownloads
    void blob_arriving(std::shared_ptr<const ArrivingBlob> blob) noexcept override;

  private:
    void unpack();  // the unpack thread
    // Applies every layer, then makes the tree durable; false when the pull stopped.
    bool unpack_layers(const std::vector<Digest>& diff_ids);
    void start_tree_over();  // an empty private directory again
    // Waits until `digest` was stored; nullopt when the pull stopped.
    std::optional<std::filesystem::path> wait_for(const Digest& digest);
    // A layer to read: stored, or (while following) downloading.
    struct LayerBlob {
        std::optional<std::filesystem::path> stored;
        std::shared_ptr<const ArrivingBlob> arriving;
    };
    std::optional<LayerBlob> wait_for_layer(const Digest& digest);

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
    bool follow_ = false;  // downloads are followed (until one of them starts over)
    std::map<std::string, std::shared_ptr<const ArrivingBlob>> arriving_;  // by digest, not yet stored
    bool finished_ = false;  // the unpack thread applied every layer
    std::optional<Error> failure_;
    std::vector<std::string> warnings_;
    std::jthread thread_;
};

}  // namespace boxtool::output
