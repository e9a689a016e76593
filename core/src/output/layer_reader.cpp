#include "output/layer_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>

#include "boxtool/error.hpp"
#include "boxtool/manifest.hpp"
#include "output/blob_source.hpp"
#include "output/gzip_inflater.hpp"

namespace boxtool::output {
namespace {

constexpr unsigned char kGzipMagic[] = {0x1f, 0x8b};
constexpr unsigned char kZstdMagic[] = {0x28, 0xb5, 0x2f, 0xfd};
constexpr unsigned char kXzMagic[] = {0xfd, '7', 'z', 'X', 'Z'};
constexpr unsigned char kBzip2Magic[] = {'B', 'Z', 'h'};

template <std::size_t N>
bool starts_with(const unsigned char* data, std::size_t size, const unsigned char (&magic)[N]) {
    return size >= N && std::memcmp(data, magic, N) == 0;
}

const char* name_of(LayerCompression c) {
    switch (c) {
        case LayerCompression::Gzip:
            return "gzip";
        case LayerCompression::Zstd:
            return "zstd";
        case LayerCompression::None:
            break;
    }
    return "uncompressed tar";
}

// What the first bytes say the blob is; None for anything that is not a known compressor.
LayerCompression sniff(const unsigned char* data, std::size_t size, const char** other) {
    *other = nullptr;
    if (starts_with(data, size, kGzipMagic)) return LayerCompression::Gzip;
    if (starts_with(data, size, kZstdMagic)) return LayerCompression::Zstd;
    if (starts_with(data, size, kXzMagic)) *other = "xz";
    if (starts_with(data, size, kBzip2Magic)) *other = "bzip2";
    return LayerCompression::None;
}

}  // namespace

LayerCompression compression_for(std::string_view m) {
    using namespace media_type;
    if (m == kOciLayerGzip || m == kDockerLayerGzip ||
        m == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" ||
        m == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip")
        return LayerCompression::Gzip;
    if (m == kOciLayerZstd || m == "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd")
        return LayerCompression::Zstd;
    if (m == kOciLayer || m == kDockerLayer || m == "application/vnd.oci.image.layer.nondistributable.v1.tar")
        return LayerCompression::None;
    throw Failure(
        ErrorKind::UnsafeLayer, "unsupported layer media type \"" + std::string(m) + "\"",
        "only tar layers (uncompressed, gzip or zstd) can be unpacked; use --output oci:DIR instead");
}

void UnpackBudget::add_bytes(std::uint64_t n) {
    bytes_ += n;
    if (bytes_ > limits_.max_total_bytes)
        throw Failure(ErrorKind::UnsafeLayer,
                      "the layers decompress to more than " + std::to_string(limits_.max_total_bytes) +
                          " bytes (possible decompression bomb)",
                      "if the image is genuinely this large, raise --unpack-max-bytes");
}

void UnpackBudget::add_entry() {
    if (++entries_ > limits_.max_entries)
        throw Failure(ErrorKind::UnsafeLayer,
                      "the layers hold more than " + std::to_string(limits_.max_entries) +
                          " entries (possible archive bomb)",
                      "if the image genuinely has this many files, raise --unpack-max-entries");
}

void UnpackBudget::check_declared(std::uint64_t size, const std::string& path) const {
    if (size > limits_.max_total_bytes - std::min(bytes_, limits_.max_total_bytes))
        throw Failure(ErrorKind::UnsafeLayer,
                      "layer entry \"" + path.substr(0, 96) + "\" declares " + std::to_string(size) +
                          " bytes, more than the unpack limit leaves",
                      "if the image is genuinely this large, raise --unpack-max-bytes");
}

DecompressedLayer::DecompressedLayer(const std::filesystem::path& blob, std::string_view media_type,
                                     Digest diff_id, UnpackBudget& budget, std::string label)
    : DecompressedLayer(std::make_unique<StoredBlobSource>(blob, label), media_type, std::move(diff_id),
                        budget, label) {}

DecompressedLayer::DecompressedLayer(std::unique_ptr<BlobSource> blob, std::string_view media_type,
                                     Digest diff_id, UnpackBudget& budget, std::string label)
    : source_(std::move(blob)),
      diff_id_(std::move(diff_id)),
      hasher_(diff_id_.algorithm),
      budget_(budget),
      label_(std::move(label)) {
    LayerCompression expected = compression_for(media_type);
    const std::string head = source_->peek(8);
    const char* other = nullptr;
    LayerCompression actual = sniff(reinterpret_cast<const unsigned char*>(head.data()), head.size(), &other);
    if (other || actual != expected)
        throw Failure(ErrorKind::UnsafeLayer,
                      label_ + " is declared as " + name_of(expected) + " (" + std::string(media_type) +
                          ") but its content is " + (other ? other : name_of(actual)),
                      "the image was built or pushed with a wrong layer media type; rebuild it");
    for (std::size_t i = 0; i < kChunks; ++i) {
        chunks_.push_back({std::make_unique<char[]>(kChunkSize), 0});
        free_.push_back(i);
    }
    if (expected == LayerCompression::Gzip) {
        gzip_ = std::make_unique<GzipInflater>(*source_);
        thread_ = std::thread([this] { read_ahead(); });
        return;
    }
    raw_ = archive_read_new();
    try {
        if (expected == LayerCompression::Zstd) archive_read_support_filter_zstd(raw_);
        archive_read_support_format_raw(raw_);
        raw_input_ = std::make_unique<char[]>(kChunkSize);
        if (archive_read_open(raw_, this, nullptr, &DecompressedLayer::raw_read, nullptr) != ARCHIVE_OK)
            fail("cannot start decompressing");
        archive_entry* entry = nullptr;
        int r = archive_read_next_header(raw_, &entry);
        if (r == ARCHIVE_EOF)
            eof_ = true;
        else if (r != ARCHIVE_OK)
            fail("cannot decompress");
    } catch (...) {
        // A constructor that throws runs no destructor.
        archive_read_free(raw_);
        throw;
    }
    thread_ = std::thread([this] { read_ahead(); });
}

long DecompressedLayer::raw_read(struct archive*, void* self_ptr, const void** buffer) {
    // Exceptions must not unwind through libarchive's C frames: keep them for after the call.
    auto* self = static_cast<DecompressedLayer*>(self_ptr);
    try {
        *buffer = self->raw_input_.get();
        return static_cast<long>(self->source_->read(self->raw_input_.get(), kChunkSize));
    } catch (...) {
        self->source_error_ = std::current_exception();
        return -1;
    }
}

void DecompressedLayer::stop_read_ahead() noexcept {
    {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

DecompressedLayer::~DecompressedLayer() {
    source_->cancel();  // a read-ahead waiting for a download's next bytes stops waiting
    stop_read_ahead();
    if (raw_) archive_read_free(raw_);
}

void DecompressedLayer::fail(const std::string& what) const {
    if (source_error_) std::rethrow_exception(source_error_);
    const char* why = gzip_ ? gzip_->error().c_str() : raw_ ? archive_error_string(raw_) : nullptr;
    throw Failure(ErrorKind::UnsafeLayer, what + " " + label_ + ": " + (why ? why : "corrupt data"),
                  "the layer blob is corrupt or truncated; remove it from the store and pull again");
}

std::size_t DecompressedLayer::decompress(char* data, std::size_t size) {
    if (eof_) return 0;
    la_ssize_t n = gzip_ ? gzip_->read(data, size) : archive_read_data(raw_, data, size);
    if (n < 0) fail("cannot decompress");
    if (n == 0) {
        eof_ = true;
        return 0;
    }
    hasher_.update(data, static_cast<std::size_t>(n));
    return static_cast<std::size_t>(n);
}

void DecompressedLayer::read_ahead() {
    try {
        for (;;) {
            std::size_t index = 0;
            {
                std::unique_lock lock(mutex_);
                // Asleep only once every chunk waits to be read, and then until kBatch are free
                // again: a sleep and its wake-up cost two futex calls, paid per batch, not per chunk.
                if (free_.empty()) changed_.wait(lock, [&] { return cancelled_ || free_.size() >= kBatch; });
                if (cancelled_) return;
                index = free_.front();
                free_.pop_front();
            }
            Chunk& chunk = chunks_[index];
            chunk.size = 0;
            while (chunk.size < kChunkSize) {  // full chunks: fewer hand-overs
                std::size_t n = decompress(chunk.data.get() + chunk.size, kChunkSize - chunk.size);
                if (n == 0) break;
                chunk.size += n;
            }
            bool wake = false;
            {
                std::lock_guard lock(mutex_);
                if (chunk.size > 0) filled_.push_back(index);
                if (chunk.size < kChunkSize) ahead_done_ = true;
                // The reader sleeps only on an empty queue, until a batch is there (or the end).
                wake = ahead_done_ || filled_.size() == kBatch;
            }
            if (wake) changed_.notify_all();
            if (chunk.size < kChunkSize) return;
        }
    } catch (...) {
        {
            std::lock_guard lock(mutex_);
            ahead_error_ = std::current_exception();
            ahead_done_ = true;
        }
        changed_.notify_all();
    }
}

std::size_t DecompressedLayer::read_view(const char** data) {
    std::unique_lock lock(mutex_);
    bool wake = false;
    if (current_) {
        free_.push_back(*current_);
        current_.reset();
        // The read-ahead thread sleeps only with no free chunk, until a batch is free.
        wake = free_.size() == kBatch;
    }
    if (filled_.empty()) {
        if (wake) changed_.notify_all();
        wake = false;
        changed_.wait(lock, [&] { return filled_.size() >= kBatch || ahead_done_; });
    }
    if (filled_.empty()) {
        if (ahead_error_) std::rethrow_exception(ahead_error_);
        return 0;
    }
    current_ = filled_.front();
    filled_.pop_front();
    lock.unlock();
    if (wake) changed_.notify_all();  // after unlocking: the woken thread need not wait for the lock
    const Chunk& chunk = chunks_[*current_];
    offset_ = chunk.size;  // all of it is the caller's now; read() rewinds for its copies
    size_ += chunk.size;
    budget_.add_bytes(chunk.size);
    *data = chunk.data.get();
    return chunk.size;
}

std::size_t DecompressedLayer::read(char* data, std::size_t size) {
    if (!current_ || offset_ == chunks_[*current_].size) {
        const char* ignored = nullptr;
        if (read_view(&ignored) == 0) return 0;
        offset_ = 0;
    }
    const Chunk& chunk = chunks_[*current_];
    std::size_t n = std::min(size, chunk.size - offset_);
    std::memcpy(data, chunk.data.get() + offset_, n);
    offset_ += n;
    return n;
}

void DecompressedLayer::finish() {
    const char* rest = nullptr;
    while (read_view(&rest) > 0) {
    }
    stop_read_ahead();  // it has ended: the hash is complete
    source_->finish();
    Digest actual = hasher_.finish();
    if (actual != diff_id_)
        throw Failure(ErrorKind::DigestMismatch,
                      "the uncompressed content of " + label_ + " is " + actual.str() +
                          ", not the image config's diff_id " + diff_id_.str(),
                      "the image is corrupt or was tampered with; nothing was unpacked");
}

LayerTarReader::LayerTarReader(DecompressedLayer& layer, UnpackBudget& budget)
    : layer_(layer), budget_(budget) {
    tar_ = archive_read_new();
    archive_read_support_format_tar(tar_);
    if (archive_read_open(tar_, this, nullptr, &LayerTarReader::read_callback, nullptr) != ARCHIVE_OK) {
        // The first read may already fail (a limit, corrupt data); a throwing constructor runs no destructor.
        try {
            fail("cannot read the tar stream of");
        } catch (...) {
            archive_read_free(tar_);
            throw;
        }
    }
}

LayerTarReader::~LayerTarReader() {
    if (tar_) archive_read_free(tar_);
}

long LayerTarReader::read_callback(struct archive*, void* self_ptr, const void** buffer) {
    // Exceptions must not unwind through libarchive's C frames: keep them for after the call.
    auto* self = static_cast<LayerTarReader*>(self_ptr);
    try {
        const char* data = nullptr;
        std::size_t n = self->layer_.read_view(&data);
        *buffer = data;
        return static_cast<long>(n);
    } catch (...) {
        self->callback_error_ = std::current_exception();
        return -1;
    }
}

void LayerTarReader::fail(const std::string& what) {
    if (callback_error_) std::rethrow_exception(callback_error_);
    const char* why = archive_error_string(tar_);
    throw Failure(ErrorKind::UnsafeLayer, what + " " + layer_.label() + ": " + (why ? why : "malformed tar"),
                  "the layer is not a valid tar archive; rebuild the image");
}

archive_entry* LayerTarReader::next() {
    archive_entry* entry = nullptr;
    int r = archive_read_next_header(tar_, &entry);
    if (r == ARCHIVE_EOF) return nullptr;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) fail("cannot read the next entry of");
    budget_.add_entry();
    // A huge declared size is refused before a byte of it is written.
    const char* name = archive_entry_pathname(entry);
    budget_.check_declared(static_cast<std::uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry))),
                           name ? name : "");
    return entry;
}

void LayerTarReader::read_data(const std::function<void(const char*, std::size_t, std::int64_t)>& sink) {
    for (;;) {
        const void* data = nullptr;
        std::size_t size = 0;
        la_int64_t offset = 0;
        int r = archive_read_data_block(tar_, &data, &size, &offset);
        if (r == ARCHIVE_EOF) return;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) fail("cannot read file data of");
        sink(static_cast<const char*>(data), size, offset);
    }
}

}  // namespace boxtool::output
