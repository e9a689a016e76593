#include "store/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace boxtool {
namespace fs = std::filesystem;

namespace {

Failure io_error(const std::string& what, const fs::path& path, int err) {
    return Failure(ErrorKind::Io, what + " " + path.string() + ": " + std::strerror(err),
                   "check that the store directory (--store) is writable and the disk is not full");
}

std::string unique_suffix() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    std::ostringstream s;
    s << ::getpid() << '-' << counter++ << '-' << std::hex << rd();
    return s.str();
}

}  // namespace

Store::Store(fs::path root) : root_(std::move(root)) {
    std::error_code ec;
    for (const char* sub : {"blobs/sha256", "blobs/sha512", "ingest", "locks"}) {
        fs::create_directories(root_ / sub, ec);
        if (ec) throw io_error("cannot create store directory", root_ / sub, ec.value());
    }
    sweep_ingest();
}

int Store::lock_fd(const Digest& d, bool wait) const {
    fs::path p = root_ / "locks" / (d.algorithm + "-" + d.hex + ".lock");
    int fd = ::open(p.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd < 0) throw io_error("cannot open lock file", p, errno);
    while (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        if (!wait && err == EWOULDBLOCK) return -1;
        throw io_error("cannot lock", p, err);
    }
    return fd;
}

void Store::sweep_ingest() const {
    // A pull killed mid-download leaves its ingest file behind. Every writer holds its digest's lock,
    // so a file whose lock is free belongs to nobody and can go.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ / "ingest", ec)) {
        std::string name = entry.path().filename().string();
        auto dash = name.find('-');
        auto dot = name.find('.');
        if (dash == std::string::npos || dot == std::string::npos || dot < dash) continue;
        auto digest = parse_digest(name.substr(0, dash) + ":" + name.substr(dash + 1, dot - dash - 1));
        if (!digest) continue;
        int fd = lock_fd(*digest, false);
        if (fd < 0) continue;
        fs::remove(entry.path(), ec);
        ::close(fd);
    }
}

fs::path Store::blob_path(const Digest& d) const {
    return root_ / "blobs" / d.algorithm / d.hex;
}

bool Store::contains(const Digest& d) const {
    std::error_code ec;
    return fs::is_regular_file(blob_path(d), ec);
}

std::optional<std::string> Store::read_small(const Digest& d, std::size_t max_bytes) const {
    std::ifstream in(blob_path(d), std::ios::binary);
    if (!in) return std::nullopt;
    std::string data;
    data.resize(max_bytes + 1);
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(in.gcount()));
    if (data.size() > max_bytes) return std::nullopt;
    // Trust, but verify: a store edited by hand must not feed a wrong manifest to an output.
    if (digest_of(data, d.algorithm) != d) return std::nullopt;
    return data;
}

Store::Lock::Lock(Lock&& o) noexcept : fd_(o.fd_) {
    o.fd_ = -1;
}
Store::Lock::~Lock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

Store::Lock Store::lock(const Digest& d) const {
    return Lock(lock_fd(d, true));
}

Store::Writer::Writer(const Store& store, Digest expected, std::optional<std::uint64_t> expected_size)
    : store_(store),
      expected_(std::move(expected)),
      expected_size_(expected_size),
      hasher_(expected_.algorithm) {
    temp_ = store_.root_ / "ingest" / (expected_.algorithm + "-" + expected_.hex + "." + unique_suffix());
    fd_ = ::open(temp_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd_ < 0) throw io_error("cannot create", temp_, errno);
}

Store::Writer::~Writer() {
    discard();
}

void Store::Writer::discard() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
        ::unlink(temp_.c_str());
    }
}

void Store::Writer::write(const char* data, std::size_t size) {
    if (fd_ < 0) throw Failure(ErrorKind::Internal, "write to a closed store writer");
    if (expected_size_ && written_ + size > *expected_size_) {
        discard();
        throw Failure(
            ErrorKind::SizeMismatch,
            "blob " + expected_.str() + " is larger than its declared size of " +
                std::to_string(*expected_size_) + " bytes",
            "the registry served different content than the manifest describes; retry, and report it "
            "to the registry's operator if it persists");
    }
    hasher_.update(data, size);
    while (size > 0) {
        ssize_t n = ::write(fd_, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            discard();
            throw io_error("cannot write", temp_, err);
        }
        data += n;
        size -= static_cast<std::size_t>(n);
        written_ += static_cast<std::uint64_t>(n);
    }
    // Start writeback of every few MiB while the download goes on, so the fsync in commit() has
    // little left to wait for (it was a fifth of a large pull's time). Only a hint: errors surface
    // at fsync.
    constexpr std::uint64_t kWritebackStep = 8 * 1024 * 1024;
    if (written_ - flushed_ >= kWritebackStep) {
        ::sync_file_range(fd_, static_cast<off_t>(flushed_), static_cast<off_t>(written_ - flushed_),
                          SYNC_FILE_RANGE_WRITE);
        flushed_ = written_;
    }
}

void Store::Writer::restart() {
    if (fd_ < 0) throw Failure(ErrorKind::Internal, "restart of a closed store writer");
    if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0) {
        int err = errno;
        discard();
        throw io_error("cannot truncate", temp_, err);
    }
    hasher_ = Hasher(expected_.algorithm);
    written_ = 0;
    flushed_ = 0;
}

void Store::Writer::commit() {
    if (fd_ < 0) throw Failure(ErrorKind::Internal, "commit of a closed store writer");
    if (expected_size_ && written_ != *expected_size_) {
        discard();
        throw Failure(ErrorKind::SizeMismatch,
                      "blob " + expected_.str() + " has " + std::to_string(written_) +
                          " bytes, but its descriptor says " + std::to_string(*expected_size_),
                      "the download was cut short or the registry served other content; retry the pull");
    }
    Digest got = hasher_.finish();
    if (got != expected_) {
        discard();
        throw Failure(ErrorKind::DigestMismatch,
                      "digest mismatch: expected " + expected_.str() + ", got " + got.str(),
                      "the content was corrupted in transit or by the registry; the bad copy was discarded. "
                      "Retry the pull; "
                      "if it persists, the registry's copy is damaged");
    }
    // fsync before rename: after a crash the store holds either the whole blob or nothing.
    if (::fsync(fd_) != 0) {
        int err = errno;
        discard();
        throw io_error("cannot sync", temp_, err);
    }
    ::fchmod(fd_, 0444);
    ::close(fd_);
    fd_ = -1;
    fs::path final_path = store_.blob_path(expected_);
    if (::rename(temp_.c_str(), final_path.c_str()) != 0) {
        int err = errno;
        ::unlink(temp_.c_str());
        throw io_error("cannot move blob into place at", final_path, err);
    }
}

void Store::put(const Digest& digest, std::string_view bytes) const {
    if (contains(digest) && digest_of(bytes, digest.algorithm) == digest) return;
    auto held = lock(digest);
    Writer w(*this, digest, bytes.size());
    w.write(bytes.data(), bytes.size());
    w.commit();
}

}  // namespace boxtool
