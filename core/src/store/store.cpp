#include "store/store.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "util/temp_path.hpp"
#include "util/verified_file.hpp"

namespace boxtool {
namespace fs = std::filesystem;

namespace {

Failure io_error(const std::string& what, const fs::path& path, int err) {
    return Failure(ErrorKind::Io, what + " " + path.string() + ": " + std::strerror(err),
                   "check that the store directory (--store) is writable and the disk is not full");
}

Failure unsafe_store(const fs::path& path, const std::string& why, const std::string& fix) {
    return Failure(ErrorKind::Config,
                   "refusing the store folder " + path.string() + ": " + why +
                       "; files in it could have been planted by someone else",
                   "use a store only you can write (--store DIR, or \"store\" in the config), or, if the "
                   "folder is really yours, " +
                       fix);
}

std::string file_name(const Digest& d) {
    return d.algorithm + "-" + d.hex;
}

// Makes one folder private to the user (0700) unless it exists; the check that follows decides
// whether an existing one is acceptable.
void make_dir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw io_error("cannot create store directory", dir, errno);
}

// "dev ino size mtime ctime" of an open file: what changes when its content may have.
std::string identity_of(const struct stat& st) {
    std::ostringstream s;
    s << st.st_dev << ' ' << st.st_ino << ' ' << st.st_size << ' ' << st.st_mtim.tv_sec << '.'
      << st.st_mtim.tv_nsec << ' ' << st.st_ctim.tv_sec << '.' << st.st_ctim.tv_nsec;
    return s.str();
}

bool read_all(int fd, std::string& out, std::size_t max) {
    std::array<char, 4096> buf{};
    while (out.size() <= max) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return true;
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    return false;
}

// Hashes what an open file holds from its start, `limit` bytes at most.
Digest hash_fd(int fd, const std::string& algorithm, std::uint64_t limit, std::uint64_t* hashed = nullptr) {
    Hasher hasher(algorithm);
    std::vector<char> buf(1 << 20);
    std::uint64_t done = 0;
    while (done < limit) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), limit - done));
        ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        hasher.update(buf.data(), static_cast<std::size_t>(n));
        done += static_cast<std::uint64_t>(n);
    }
    if (hashed) *hashed = done;
    return hasher.finish();
}

// Writes a small file atomically: a private temporary next to it, then a rename; `durable` adds an
// fsync before the rename, for files whose loss in a crash would lose something.
bool write_atomically(const fs::path& path, const std::string& content, bool durable) {
    fs::path temp = path.parent_path() / ("." + path.filename().string() + ".tmp-" + util::unique_suffix());
    int fd = ::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return false;
    bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
    if (durable) ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    if (ok && ::rename(temp.c_str(), path.c_str()) == 0) return true;
    ::unlink(temp.c_str());
    return false;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

int open_no_follow(const fs::path& path, int flags) {
    return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | flags);
}

void check_private_dir(const fs::path& dir, bool follow) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0) {
        int err = errno;
        if (err == ELOOP || err == ENOTDIR)
            throw unsafe_store(dir, "it is a symbolic link or not a directory", "replace it with a folder");
        throw io_error("cannot open store directory", dir, err);
    }
    struct stat st {};
    int rc = ::fstat(fd, &st);
    ::close(fd);
    if (rc != 0) throw io_error("cannot stat store directory", dir, errno);
    if (st.st_uid != ::geteuid())
        throw unsafe_store(dir, "it belongs to another user (uid " + std::to_string(st.st_uid) + ")",
                           "run: chown -R $(id -u) " + dir.string());
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        throw unsafe_store(dir, "other users may write to it", "run: chmod go-w " + dir.string());
}

namespace {

// Whoever may write to a folder above the store may swap the store for one of their own: every
// ancestor must belong to root or the user, and be writable by nobody else unless it is sticky
// (as /tmp is: there, others cannot rename or remove what is ours).
void check_ancestors(const fs::path& root) {
    std::error_code ec;
    fs::path real = fs::canonical(root, ec);
    if (ec) return;  // the open that follows says what is wrong
    for (fs::path dir = real.parent_path();; dir = dir.parent_path()) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0) break;
        bool owner_ok = st.st_uid == 0 || st.st_uid == ::geteuid();
        bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX);
        if (!owner_ok || others_write)
            throw unsafe_store(
                root,
                "the folder " + dir.string() + " above it " +
                    (!owner_ok ? "belongs to another user (uid " + std::to_string(st.st_uid) + ")"
                               : std::string("may be written by other users")) +
                    ", who could replace the store",
                "move the store to a folder only you (or root) can write");
        if (dir == dir.root_path() || dir.empty()) break;
    }
}

}  // namespace

Store::Store(fs::path root) : root_(std::move(root)) {
    std::error_code ec;
    if (!fs::exists(root_, ec)) {
        if (root_.has_parent_path()) fs::create_directories(root_.parent_path(), ec);
        if (ec) throw io_error("cannot create store directory", root_.parent_path(), ec.value());
        make_dir(root_);
    }
    check_private_dir(root_, true);
    check_ancestors(root_);
    for (const char* sub :
         {"blobs", "blobs/sha256", "blobs/sha512", "ingest", "locks", "verified", "images"}) {
        make_dir(root_ / sub);
        check_private_dir(root_ / sub, false);
    }
    sweep_ingest();
}

fs::path Store::blob_path(const Digest& d) const {
    return root_ / "blobs" / d.algorithm / d.hex;
}
fs::path Store::ingest_path(const Digest& d) const {
    return root_ / "ingest" / (file_name(d) + ".partial");
}
fs::path Store::lock_path(const Digest& d) const {
    return root_ / "locks" / (file_name(d) + ".lock");
}
fs::path Store::verified_path(const Digest& d) const {
    return root_ / "verified" / file_name(d);
}

int Store::lock_fd(const Digest& d, bool wait) const {
    fs::path p = lock_path(d);
    for (;;) {
        int fd = ::open(p.c_str(), O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            if (errno == ELOOP) throw unsafe_store(p, "the lock file is a symbolic link", "remove it");
            throw io_error("cannot open lock file", p, errno);
        }
        while (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            if (!wait && err == EWOULDBLOCK) return -1;
            throw io_error("cannot lock", p, err);
        }
        // The previous holder removes the file as it lets go (so lock files do not pile up): a
        // waiter then holds the lock of a file no longer at the path, and must lock the one there.
        struct stat held {
        }, there{};
        if (::fstat(fd, &held) == 0 && held.st_nlink > 0 && ::lstat(p.c_str(), &there) == 0 &&
            held.st_ino == there.st_ino && held.st_dev == there.st_dev)
            return fd;
        ::close(fd);
    }
}

void Store::sweep_ingest() const {
    // Earlier versions named ingest files "<alg>-<hex>.<pid-counter-random>" and never resumed
    // them: such a file whose lock is free belongs to nobody and can go. ".partial" files stay,
    // for the next pull of their blob to resume.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ / "ingest", ec)) {
        std::string name = entry.path().filename().string();
        if (name.size() > 8 && name.compare(name.size() - 8, 8, ".partial") == 0) continue;
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

bool Store::contains(const Digest& d) const {
    struct stat st {};
    return ::lstat(blob_path(d).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::optional<std::string> Store::read_small(const Digest& d, std::size_t max_bytes) const {
    // Trust, but verify: a store edited by hand must not feed a wrong manifest to an output.
    return util::read_verified_file(blob_path(d), d, max_bytes, true);
}

void Store::remember_verified(const Digest& d, int fd) const {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return;
    // Best effort: without a record the next reuse hashes the blob again, nothing worse. So no
    // fsync: after a crash a lost, empty or stale record only fails to match the blob's identity
    // (a new file never has the old ctime), and a pull of many small blobs on a disk spent half
    // its fsyncs here.
    write_atomically(verified_path(d), identity_of(st) + "\n", false);
}

Store::BlobState Store::check_blob(const Digest& d, std::optional<std::uint64_t> expected_size,
                                   std::string* why) const {
    const fs::path path = blob_path(d);
    auto discard = [&](const std::string& reason) {
        if (why)
            *why = "the stored copy of " + d.str() + " " + reason + "; it was removed and is fetched again";
        std::error_code ec;
        fs::remove_all(path, ec);
        fs::remove(verified_path(d), ec);
        return BlobState::Discarded;
    };
    int fd = open_no_follow(path);
    if (fd < 0) {
        if (errno == ELOOP) return discard("is a symbolic link");
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) return BlobState::Missing;
        return discard("cannot be read (" + std::string(std::strerror(errno)) + ")");
    }
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return discard("cannot be examined");
    if (!S_ISREG(st.st_mode)) return discard("is not a regular file");
    if (st.st_uid != ::geteuid())
        return discard("belongs to another user (uid " + std::to_string(st.st_uid) + ")");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (expected_size && size != *expected_size)
        return discard("has " + std::to_string(size) + " bytes instead of " + std::to_string(*expected_size));
    // Unchanged since it was last hashed (same file, size, mtime and ctime): no need to hash again.
    int rfd = open_no_follow(verified_path(d));
    if (rfd >= 0) {
        std::string record;
        bool read = read_all(rfd, record, 256);
        ::close(rfd);
        if (read && record == identity_of(st) + "\n") return BlobState::Verified;
    }
    Digest got = hash_fd(fd, d.algorithm, size);
    if (got != d) return discard("does not match its digest (its content hashes to " + got.str() + ")");
    remember_verified(d, fd);
    return BlobState::Verified;
}

Store::Lock::Lock(Lock&& o) noexcept : store_(o.store_), digest_(std::move(o.digest_)), fd_(o.fd_) {
    o.fd_ = -1;
}
Store::Lock::~Lock() {
    if (fd_ < 0) return;
    // Removed while still held (see lock_fd for how waiters cope), unless a partial download
    // remains: the lock file then marks it as belonging to a digest (prune takes both together).
    struct stat st {};
    if (store_ && ::lstat(store_->ingest_path(digest_).c_str(), &st) != 0)
        ::unlink(store_->lock_path(digest_).c_str());
    ::close(fd_);  // closing releases the flock
}

Store::Lock Store::lock(const Digest& d) const {
    return Lock(this, d, lock_fd(d, true));
}

std::optional<Store::Lock> Store::try_lock(const Digest& d) const {
    int fd = lock_fd(d, false);
    if (fd < 0) return std::nullopt;
    return Lock(this, d, fd);
}

Store::UseLock::UseLock(UseLock&& o) noexcept : fd_(o.fd_) {
    o.fd_ = -1;
}
Store::UseLock::~UseLock() {
    if (fd_ >= 0) ::close(fd_);
}

namespace {
int open_use_lock(const fs::path& root) {
    fs::path p = root / "store.lock";
    int fd = ::open(p.c_str(), O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw io_error("cannot open", p, errno);
    return fd;
}
}  // namespace

Store::UseLock Store::use_shared() const {
    int fd = open_use_lock(root_);
    while (::flock(fd, LOCK_SH) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        throw io_error("cannot lock", root_ / "store.lock", err);
    }
    return UseLock(fd);
}

std::optional<Store::UseLock> Store::use_exclusive(bool wait) const {
    int fd = open_use_lock(root_);
    while (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        if (!wait && err == EWOULDBLOCK) return std::nullopt;
        throw io_error("cannot lock", root_ / "store.lock", err);
    }
    return UseLock(fd);
}

Store::Writer::Writer(const Store& store, Digest expected, std::optional<std::uint64_t> expected_size)
    : store_(store),
      expected_(std::move(expected)),
      expected_size_(expected_size),
      hasher_(expected_.algorithm) {
    temp_ = store_.ingest_path(expected_);
    fd_ = ::open(temp_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) {
        if (errno == ELOOP) throw unsafe_store(temp_, "the download file is a symbolic link", "remove it");
        throw io_error("cannot create", temp_, errno);
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
        ::close(fd_);
        fd_ = -1;
        throw unsafe_store(temp_, "the download file is not a regular file of yours", "remove it");
    }
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > 0 && expected_size_ && size > *expected_size_) size = 0;
    if (size > 0) {
        // An earlier attempt, maybe of a process that was killed, got this far: hash what it
        // wrote, and the download goes on from its end.
        std::uint64_t hashed = 0;
        Hasher forward(expected_.algorithm);
        std::vector<char> buf(1 << 20);
        while (hashed < size) {
            auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - hashed));
            ssize_t n = ::pread(fd_, buf.data(), want, static_cast<off_t>(hashed));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            forward.update(buf.data(), static_cast<std::size_t>(n));
            hashed += static_cast<std::uint64_t>(n);
        }
        size = hashed;
        hasher_ = std::move(forward);
    }
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 ||
        ::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0) {
        int err = errno;
        discard();
        throw io_error("cannot prepare", temp_, err);
    }
    written_ = resumed_from_ = flushed_ = size;
}

Store::Writer::~Writer() {
    close();
}

void Store::Writer::close() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
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
    resumed_from_ = 0;
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
    fs::path final_path = store_.blob_path(expected_);
    if (::rename(temp_.c_str(), final_path.c_str()) != 0) {
        int err = errno;
        discard();
        throw io_error("cannot move blob into place at", final_path, err);
    }
    store_.remember_verified(expected_, fd_);
    ::close(fd_);
    fd_ = -1;
}

void Store::put(const Digest& digest, std::string_view bytes) const {
    if (digest_of(bytes, digest.algorithm) == digest &&
        check_blob(digest, bytes.size()) == BlobState::Verified)
        return;
    auto held = lock(digest);
    Writer w(*this, digest, bytes.size());
    if (w.written() > 0) w.restart();
    w.write(bytes.data(), bytes.size());
    w.commit();
}

void Store::record_pull(const PullRecord& r) const {
    Poco::JSON::Object obj;
    obj.set("reference", r.reference);
    obj.set("resolved", r.resolved);
    obj.set("digest", r.digest.str());
    obj.set("manifest", r.manifest_digest.str());
    obj.set("platform", r.platform);
    obj.set("pulled_at", rfc3339(r.pulled_at));
    Poco::JSON::Array blobs;
    for (const auto& [d, size] : r.blobs) {
        Poco::JSON::Object b;
        b.set("digest", d.str());
        b.set("size", size);
        blobs.add(b);
    }
    obj.set("blobs", blobs);
    std::ostringstream text;
    obj.stringify(text);
    std::string id = digest_of(r.reference + "\n" + r.platform).hex.substr(0, 32);
    if (!write_atomically(root_ / "images" / (id + ".json"), text.str(), true))
        throw io_error("cannot record the pull in", root_ / "images", errno);
}

}  // namespace boxtool
