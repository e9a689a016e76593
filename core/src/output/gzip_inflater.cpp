#include "output/gzip_inflater.hpp"

#include <isa-l/igzip_lib.h>

#include <vector>

#include "output/blob_source.hpp"

namespace boxtool::output {
namespace {

constexpr std::size_t kInput = 1 << 20;  // large reads: few system calls per layer

std::string isal_error(int code) {
    switch (code) {
        case ISAL_INVALID_BLOCK:
            return "invalid deflate block";
        case ISAL_INVALID_SYMBOL:
            return "invalid deflate symbol";
        case ISAL_INVALID_LOOKBACK:
            return "invalid back-reference distance";
        case ISAL_INVALID_WRAPPER:
            return "invalid gzip header";
        case ISAL_UNSUPPORTED_METHOD:
            return "unsupported gzip compression method";
        case ISAL_INCORRECT_CHECKSUM:
            return "gzip CRC-32 or length mismatch";
        default:
            return "gzip error " + std::to_string(code);
    }
}

}  // namespace

struct GzipInflater::State {
    inflate_state inflate{};
    std::vector<unsigned char> input = std::vector<unsigned char>(kInput);
};

GzipInflater::GzipInflater(BlobSource& source) : state_(std::make_unique<State>()), source_(source) {
    isal_inflate_init(&state_->inflate);
    state_->inflate.crc_flag = ISAL_GZIP;
}

GzipInflater::~GzipInflater() = default;

long GzipInflater::failed(std::string what) {
    error_ = std::move(what);
    return -1;
}

bool GzipInflater::refill() {
    auto& s = state_->inflate;
    if (input_done_ || s.avail_in > 0) return s.avail_in > 0;
    std::size_t n = source_.read(reinterpret_cast<char*>(state_->input.data()), state_->input.size());
    if (n == 0) {
        input_done_ = true;
        return false;
    }
    s.next_in = state_->input.data();
    s.avail_in = static_cast<uint32_t>(n);
    return true;
}

long GzipInflater::read(char* out, std::size_t size) {
    auto& s = state_->inflate;
    if (!error_.empty()) return -1;
    for (;;) {
        if (member_done_) {
            // Another member may follow (concatenated gzip files are one stream).
            if (!refill()) return error_.empty() ? 0 : -1;
            // Bytes after the last member that start no gzip header are ignored, as gzip -d and
            // libarchive do (the blob's digest and the diff_id still cover everything).
            if (s.next_in[0] != 0x1f) {
                input_done_ = true;
                s.avail_in = 0;
                return 0;
            }
            unsigned char* next = s.next_in;
            uint32_t avail = s.avail_in;
            isal_inflate_reset(&s);
            s.crc_flag = ISAL_GZIP;
            s.next_in = next;
            s.avail_in = avail;
            member_done_ = false;
        }
        if (!refill() && !error_.empty()) return -1;
        s.next_out = reinterpret_cast<unsigned char*>(out);
        s.avail_out = static_cast<uint32_t>(std::min<std::size_t>(size, UINT32_MAX));
        const uint32_t before = s.avail_out;
        int r = isal_inflate(&s);
        if (r < 0) return failed(isal_error(r));
        const long produced = static_cast<long>(before - s.avail_out);
        if (s.block_state == ISAL_BLOCK_FINISH) member_done_ = true;
        if (produced > 0) return produced;
        if (member_done_) continue;
        if (s.avail_in == 0 && input_done_) return failed("the gzip stream is truncated");
    }
}

}  // namespace boxtool::output
