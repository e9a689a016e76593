// Streaming gzip decompression with ISA-L's isal_inflate (about twice zlib's speed on x86-64), used
// for gzip layers instead of libarchive's zlib filter. ISA-L parses each member's gzip header and
// checks its CRC-32 and length (ISAL_GZIP); concatenated members are read in turn, as gzip -d does.
// The caller still checks the diff_id of what comes out. Reads the compressed blob in large reads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace boxtool::output {

class BlobSource;

class GzipInflater {
  public:
    explicit GzipInflater(BlobSource& source);  // borrowed
    ~GzipInflater();
    GzipInflater(const GzipInflater&) = delete;
    GzipInflater& operator=(const GzipInflater&) = delete;

    // Up to `size` decompressed bytes; 0 at the end of the last member; -1 on corrupt or truncated
    // data, with error() saying which. What the source throws goes through.
    long read(char* out, std::size_t size);
    const std::string& error() const noexcept { return error_; }

  private:
    bool refill();
    long failed(std::string what);

    struct State;
    std::unique_ptr<State> state_;
    BlobSource& source_;
    bool input_done_ = false;
    bool member_done_ = false;
    std::string error_;
};

}  // namespace boxtool::output
