// A content-addressed blob store shared by all pulls, safe for concurrent processes, and on guard
// against other local users and against its own files changing behind its back.
//
// Layout (every folder owned by the user running boxtool and writable by nobody else; a store that
// is not is refused, never repaired, since someone else may have planted files in it):
//   ROOT/blobs/<alg>/<hex>   verified content only, read-only files
//   ROOT/ingest/<alg>-<hex>.partial   a download in progress, or interrupted: the next pull of the
//                            same blob (in this process or another, after a crash) hashes it forward
//                            and resumes with a Range request
//   ROOT/locks/<alg>-<hex>.lock       per-digest lock files (flock), so two processes never fetch
//                            the same blob at once; removed once the blob is in and no partial is left
//   ROOT/verified/<alg>-<hex>        "verified at" records: the blob's device, inode, size, mtime and
//                            ctime when it was last hashed, so reuse skips re-hashing an unchanged file
//   ROOT/images/<id>.json    what was pulled (reference, digests, time, blobs): store ls / prune
//   ROOT/store.lock          held shared by every pull, exclusively by prune
// Paths inside the store are opened with O_NOFOLLOW: a symlink planted there is never followed.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/digest.hpp"

namespace boxtool {

// What a pull leaves in ROOT/images/, one file per reference and platform.
struct PullRecord {
    std::string reference;  // as the user gave it
    std::string resolved;   // registry/repository:tag@... that served it
    Digest digest;          // what the reference resolved to (index or manifest)
    Digest manifest_digest;
    std::string platform;
    std::chrono::system_clock::time_point pulled_at;
    std::vector<std::pair<Digest, std::uint64_t>> blobs;  // index, manifest, config and layers, with sizes
};

class Store {
  public:
    // Creates the folders (private to the user) or checks existing ones; throws Failure(Io) when
    // they cannot be made and Failure(Config) when they belong to someone else or others may write.
    explicit Store(std::filesystem::path root);

    const std::filesystem::path& root() const noexcept { return root_; }
    std::filesystem::path blob_path(const Digest& digest) const;
    bool contains(const Digest& digest) const;  // a regular file (not a symlink) is there
    // A small blob's bytes (manifests, configs), verified against the digest; nothing if absent,
    // larger than max_bytes, or not matching.
    std::optional<std::string> read_small(const Digest& digest, std::size_t max_bytes) const;

    enum class BlobState { Missing, Verified, Discarded };
    // Whether a stored blob can be reused: it must be ours, a regular file, of `expected_size`
    // (when given), and hash to its digest. The hash is skipped when the verified-at record says
    // nothing changed since the last check. A bad copy is removed (Discarded), with the reason in
    // `why`, so the caller downloads it again.
    BlobState check_blob(const Digest& digest, std::optional<std::uint64_t> expected_size,
                         std::string* why = nullptr) const;

    // An exclusive, cross-process lock on one digest; released on destruction, when the lock file
    // is also removed if the blob left no partial download behind.
    class Lock {
      public:
        Lock(Lock&&) noexcept;
        Lock& operator=(Lock&&) = delete;
        ~Lock();
        // Leaves the lock file in place on release (a dry run changes nothing).
        void keep_file() noexcept { store_ = nullptr; }

      private:
        friend class Store;
        Lock(const Store* store, Digest digest, int fd)
            : store_(store), digest_(std::move(digest)), fd_(fd) {}
        const Store* store_ = nullptr;
        Digest digest_;
        int fd_ = -1;
    };
    Lock lock(const Digest& digest) const;
    // As lock(), but nothing when another holder has it.
    std::optional<Lock> try_lock(const Digest& digest) const;

    // Held shared by every pull and exclusively by prune, so prune never removes what a running
    // pull has stored but not yet recorded.
    class UseLock {
      public:
        UseLock(UseLock&&) noexcept;
        UseLock& operator=(UseLock&&) = delete;
        ~UseLock();

      private:
        friend class Store;
        explicit UseLock(int fd) : fd_(fd) {}
        int fd_ = -1;
    };
    UseLock use_shared() const;
    // Exclusive; nothing if `wait` is false and pulls are running.
    std::optional<UseLock> use_exclusive(bool wait) const;

    // Writes bytes into ROOT/ingest/<alg>-<hex>.partial, hashing them as they arrive. Hold
    // lock(digest) while a Writer exists: one writer per digest. A partial left by an earlier
    // attempt (or a killed process) is hashed forward and continued: written() tells where.
    // commit() checks size and digest and renames into blobs/; a mismatch removes the file.
    // Destruction without commit keeps the partial for the next attempt to resume.
    class Writer {
      public:
        Writer(const Store& store, Digest expected, std::optional<std::uint64_t> expected_size);
        ~Writer();
        Writer(const Writer&) = delete;
        Writer& operator=(const Writer&) = delete;

        void write(const char* data, std::size_t size);  // throws SizeMismatch past the expected size
        std::uint64_t written() const noexcept { return written_; }
        std::uint64_t resumed_from() const noexcept { return resumed_from_; }
        void commit();            // throws DigestMismatch / SizeMismatch, leaving nothing behind
        void discard() noexcept;  // removes the partial
        void close() noexcept;    // keeps the partial for a later attempt
        bool is_open() const noexcept { return fd_ >= 0; }
        int fd() const noexcept { return fd_; }  // for an ArrivingBlob to share with followers
        // Empties the file and the hash, for a download that must start over.
        void restart();

      private:
        const Store& store_;
        Digest expected_;
        std::optional<std::uint64_t> expected_size_;
        std::filesystem::path temp_;
        int fd_ = -1;
        std::uint64_t written_ = 0;
        std::uint64_t resumed_from_ = 0;
        std::uint64_t flushed_ = 0;  // bytes already handed to the kernel's writeback
        Hasher hasher_;
    };

    // Stores a small in-memory blob (manifests) after verifying it; takes the digest's lock itself.
    void put(const Digest& digest, std::string_view bytes) const;

    // Records a pull (replacing an earlier record of the same reference and platform).
    void record_pull(const PullRecord& record) const;

    std::filesystem::path ingest_path(const Digest& digest) const;
    std::filesystem::path lock_path(const Digest& digest) const;
    std::filesystem::path verified_path(const Digest& digest) const;
    // Writes the verified-at record of a blob from an open descriptor of it.
    void remember_verified(const Digest& digest, int fd) const;

  private:
    int lock_fd(const Digest& digest, bool wait) const;  // -1 if !wait and the lock is held
    void sweep_ingest() const;
    std::filesystem::path root_;
};

// Opens `path` for reading without following a final symlink; -1 with errno set otherwise.
int open_no_follow(const std::filesystem::path& path, int flags = 0);
// Refuses (Failure of kind Config) a folder that is not a directory, belongs to another user, or
// is writable by group or others. `follow` lets the store's root be a symlink to its real place.
void check_private_dir(const std::filesystem::path& dir, bool follow);

}  // namespace boxtool
