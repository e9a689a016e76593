#include "output/blob_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "boxtool/error.hpp"

namespace boxtool::output {

std::size_t BlobSource::read(char* data, std::size_t size) {
    if (peeked_used_ < peeked_.size()) {
        std::size_t n = std::min(size, peeked_.size() - peeked_used_);
        std::memcpy(data, peeked_.data() + peeked_used_, n);
        peeked_used_ += n;
        return n;
    }
    return read_more(data, size);
}

std::string BlobSource::peek(std::size_t size) {
    while (peeked_.size() < size) {
        char buf[64];
        std::size_t n = read_more(buf, std::min(sizeof buf, size - peeked_.size()));
        if (n == 0) break;
        peeked_.append(buf, n);
    }
    return peeked_.substr(0, size);
}

StoredBlobSource::StoredBlobSource(const std::filesystem::path& blob, const std::string& label)
    : label_(label) {
    fd_ = ::open(blob.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
        throw Failure(ErrorKind::Io, "cannot open " + label_ + " in the store: " + std::strerror(errno),
                      "pull again; the store may have been cleaned meanwhile");
}

StoredBlobSource::~StoredBlobSource() {
    if (fd_ >= 0) ::close(fd_);
}

std::size_t StoredBlobSource::read_more(char* data, std::size_t size) {
    for (;;) {
        ssize_t n = ::read(fd_, data, size);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR)
            throw Failure(ErrorKind::Io, "cannot read " + label_ + " in the store: " + std::strerror(errno),
                          "check the store's disk, then pull again");
    }
}

FollowedBlobSource::FollowedBlobSource(std::shared_ptr<const ArrivingBlob> blob, std::stop_token stop,
                                       std::string label)
    : blob_(std::move(blob)),
      outer_(std::move(stop), std::function<void()>([this] { own_.request_stop(); })),
      label_(std::move(label)),
      generation_(blob_->now().generation) {}

std::size_t FollowedBlobSource::read_more(char* data, std::size_t size) {
    if (size == 0) return 0;
    const std::stop_token stop = own_.get_token();
    for (;;) {
        // Woken once the whole read can be served, not for every network read; after the last
        // byte, once the download is stored (or not).
        const std::uint64_t total = blob_->descriptor().size;
        const std::uint64_t until =
            offset_ >= total ? UINT64_MAX : std::min<std::uint64_t>(offset_ + size, total);
        ArrivingBlob::Snapshot now = blob_->wait_for(until, generation_, stop);
        if (now.generation != generation_) throw DownloadStartedOver();
        if (stop.stop_requested() || now.state == ArrivingBlob::State::Abandoned)
            throw Failure(ErrorKind::Cancelled, "the download of " + label_ + " stopped");
        if (offset_ < now.written) {
            auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, now.written - offset_));
            ssize_t n = ::pread(now.file->fd, data, want, static_cast<off_t>(offset_));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0)
                throw Failure(ErrorKind::Io,
                              "cannot read the download of " + label_ + ": " + std::strerror(errno),
                              "check the store's disk, then pull again");
            // Shorter than written: the file was emptied for a restart the download has not
            // announced yet.
            if (n == 0) throw DownloadStartedOver();
            offset_ += static_cast<std::uint64_t>(n);
            return static_cast<std::size_t>(n);
        }
        if (now.state == ArrivingBlob::State::Stored) return 0;  // every byte read, and verified
    }
}

void FollowedBlobSource::finish() {
    char rest[4096];
    while (read(rest, sizeof rest) > 0) {
    }
}

}  // namespace boxtool::output
