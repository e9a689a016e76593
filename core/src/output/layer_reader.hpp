// Reads one layer blob (from the store, or as it downloads) as it is decompressed: the compression
// is chosen by media type and checked against the blob's magic bytes, the uncompressed bytes are
// hashed for the config's diff_id and counted against the unpack limits. Nothing is held in memory.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/output.hpp"

struct archive;
struct archive_entry;

namespace boxtool::output {

class BlobSource;
class GzipInflater;

enum class LayerCompression { None, Gzip, Zstd };

// Throws Failure(UnsafeLayer) for a media type that is not a tar layer we can read.
LayerCompression compression_for(std::string_view media_type);

// What all layers of one image may still produce; throws Failure(UnsafeLayer) past a limit.
class UnpackBudget {
  public:
    explicit UnpackBudget(UnpackLimits limits) : limits_(limits) {}
    void add_bytes(std::uint64_t n);
    void add_entry();
    // Refuses an entry declaring more bytes than are left, before any is written.
    void check_declared(std::uint64_t size, const std::string& path) const;
    std::uint64_t bytes() const noexcept { return bytes_; }

  private:
    UnpackLimits limits_;
    std::uint64_t bytes_ = 0;
    std::uint64_t entries_ = 0;
};

// The layer's uncompressed tar stream. Decompression and the diff_id's hashing run ahead on their
// own thread, a few large chunks ahead of the reader, so that inflating and writing files use two
// cores (as `pigz -dc | tar -x` does) while memory stays bounded (kChunks x kChunkSize).
class DecompressedLayer {
  public:
    // `label` names the layer in errors ("layer 2 (sha256:...)").
    DecompressedLayer(std::unique_ptr<BlobSource> blob, std::string_view media_type, Digest diff_id,
                      UnpackBudget& budget, std::string label);
    // A verified blob in the store.
    DecompressedLayer(const std::filesystem::path& blob, std::string_view media_type, Digest diff_id,
                      UnpackBudget& budget, std::string label);
    ~DecompressedLayer();
    DecompressedLayer(const DecompressedLayer&) = delete;
    DecompressedLayer& operator=(const DecompressedLayer&) = delete;

    // Up to `size` bytes; 0 at the end.
    std::size_t read(char* data, std::size_t size);
    // The next decompressed bytes without a copy: *data stays valid until the next call; 0 at the end.
    std::size_t read_view(const char** data);
    // Reads what is left (tar padding after the end marker, and the rest of a followed download
    // until it is stored) and checks the diff_id: throws Failure(DigestMismatch) on a mismatch.
    void finish();
    std::uint64_t size() const noexcept { return size_; }
    const std::string& label() const noexcept { return label_; }

  private:
    static constexpr std::size_t kChunks = 6;
    static constexpr std::size_t kChunkSize = 256 * 1024;
    static constexpr std::size_t kBatch = kChunks / 2;  // hand-overs that wake the other thread
    [[noreturn]] void fail(const std::string& what) const;
    std::size_t decompress(char* data, std::size_t size);  // the read-ahead thread's source
    void read_ahead();                                     // the read-ahead thread
    void stop_read_ahead() noexcept;
    static long raw_read(struct archive*, void* self, const void** buffer);
    std::unique_ptr<BlobSource> source_;
    std::unique_ptr<char[]> raw_input_;   // libarchive's filters read the blob into this
    std::exception_ptr source_error_;     // thrown by the source under libarchive, rethrown after
    struct archive* raw_ = nullptr;       // zstd and uncompressed layers: libarchive's filters
    std::unique_ptr<GzipInflater> gzip_;  // gzip layers: ISA-L
    bool eof_ = false;
    Digest diff_id_;
    Hasher hasher_;
    UnpackBudget& budget_;
    std::string label_;
    std::uint64_t size_ = 0;

    // Between the read-ahead thread and the reader: filled chunks in order, free ones, the end.
    struct Chunk {
        std::unique_ptr<char[]> data;
        std::size_t size = 0;
    };
    std::vector<Chunk> chunks_;
    std::deque<std::size_t> filled_, free_;
    std::optional<std::size_t> current_;  // the chunk read_view() handed out
    std::size_t offset_ = 0;              // read() has copied this much of the current chunk
    bool ahead_done_ = false, cancelled_ = false;
    std::exception_ptr ahead_error_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::thread thread_;
};

// The tar entries of a layer, read from its decompressed stream.
class LayerTarReader {
  public:
    explicit LayerTarReader(DecompressedLayer& layer, UnpackBudget& budget);
    ~LayerTarReader();
    LayerTarReader(const LayerTarReader&) = delete;
    LayerTarReader& operator=(const LayerTarReader&) = delete;

    // The next entry, or nullptr after the last one. Valid until the next call.
    archive_entry* next();
    // Passes the current entry's data to `sink` as (bytes, size, offset); offsets skip holes.
    void read_data(const std::function<void(const char*, std::size_t, std::int64_t)>& sink);

  private:
    static long read_callback(struct archive*, void* self, const void** buffer);
    [[noreturn]] void fail(const std::string& what);
    DecompressedLayer& layer_;
    UnpackBudget& budget_;
    struct archive* tar_ = nullptr;
    std::exception_ptr callback_error_;
};

}  // namespace boxtool::output
