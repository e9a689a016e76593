// The compressed bytes of a layer blob, in order, as the decompressor reads them: from the
// store's verified file, or from a download still in progress (following an ArrivingBlob).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>

#include "store/arriving_blob.hpp"

namespace boxtool::output {

class BlobSource {
  public:
    virtual ~BlobSource() = default;
    // Up to `size` bytes; 0 at the end. Throws Failure (or DownloadStartedOver).
    std::size_t read(char* data, std::size_t size);
    // The first `size` bytes (fewer if the blob is shorter), which read() then still returns.
    std::string peek(std::size_t size);
    // From another thread: a read waiting for bytes ends (throwing Failure(Cancelled)).
    virtual void cancel() noexcept {}
    // After the decompressor's end: reads what is left, so that a followed download is waited
    // for until it is stored (bytes after the compressed stream matter to the blob's digest).
    virtual void finish() {}

  protected:
    virtual std::size_t read_more(char* data, std::size_t size) = 0;

  private:
    std::string peeked_;
    std::size_t peeked_used_ = 0;
};

// A verified blob in the store.
class StoredBlobSource final : public BlobSource {
  public:
    // `label` names the layer in errors ("layer 2 (sha256:...)"); throws Failure(Io).
    StoredBlobSource(const std::filesystem::path& blob, const std::string& label);
    ~StoredBlobSource() override;

  protected:
    std::size_t read_more(char* data, std::size_t size) override;

  private:
    int fd_ = -1;
    std::string label_;
};

// Thrown when a followed download went back (restarted, or its partial was discarded after a
// digest mismatch): whatever was read of it is void, and so is what was made of it.
class DownloadStartedOver : public std::runtime_error {
  public:
    DownloadStartedOver() : std::runtime_error("the download started over") {}
};

// A blob while it downloads: reads what the download has written, waits for more, and ends only
// once the download is stored, i.e. its digest verified. Until then what was read is unverified:
// the caller must keep whatever it makes of it private, and drop it on DownloadStartedOver or a
// failure.
class FollowedBlobSource final : public BlobSource {
  public:
    // Stops waiting (Failure(Cancelled)) once `stop` is requested.
    FollowedBlobSource(std::shared_ptr<const ArrivingBlob> blob, std::stop_token stop, std::string label);
    void cancel() noexcept override { own_.request_stop(); }
    void finish() override;
    // The download's generation this source reads (see ArrivingBlob).
    std::uint64_t generation() const noexcept { return generation_; }

  protected:
    std::size_t read_more(char* data, std::size_t size) override;

  private:
    std::shared_ptr<const ArrivingBlob> blob_;
    std::stop_source own_;
    std::stop_callback<std::function<void()>> outer_;
    std::string label_;
    std::uint64_t generation_ = 0;
    std::uint64_t offset_ = 0;
};

}  // namespace boxtool::output
