// A content-addressed blob store shared by all pulls, safe for concurrent processes.
//
// Layout: ROOT/blobs/<alg>/<hex> holds verified content only; ROOT/ingest/ holds downloads in
// progress; ROOT/locks/ holds per-digest lock files (flock) so two processes never fetch the
// same blob twice at once. Ingest files left by a killed pull are removed when a Store opens.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "boxtool/digest.hpp"

namespace boxtool {

class Store {
  public:
    explicit Store(std::filesystem::path root);  // creates the folders; throws Failure(Io)

    const std::filesystem::path& root() const noexcept { return root_; }
    std::filesystem::path blob_path(const Digest& digest) const;
    bool contains(const Digest& digest) const;
    std::optional<std::string> read_small(const Digest& digest, std::size_t max_bytes) const;

    // An exclusive, cross-process lock on one digest; released on destruction.
    class Lock {
      public:
        Lock(Lock&&) noexcept;
        Lock& operator=(Lock&&) = delete;
        ~Lock();

      private:
        friend class Store;
        explicit Lock(int fd) : fd_(fd) {}
        int fd_ = -1;
    };
    Lock lock(const Digest& digest) const;

    // Writes bytes into a private file in ingest/, hashing them as they arrive. Hold lock(digest)
    // while a Writer exists: the lock tells a later Store that the ingest file is in use. commit() checks
    // size and digest and renames into blobs/; anything else (mismatch, exception, destruction
    // without commit) removes the file, so nothing partial is ever visible.
    class Writer {
      public:
        Writer(const Store& store, Digest expected, std::optional<std::uint64_t> expected_size);
        ~Writer();
        Writer(const Writer&) = delete;
        Writer& operator=(const Writer&) = delete;

        void write(const char* data, std::size_t size);  // throws SizeMismatch past the expected size
        std::uint64_t written() const noexcept { return written_; }
        void commit();  // throws DigestMismatch / SizeMismatch, leaving nothing behind
        void discard() noexcept;
        bool is_open() const noexcept { return fd_ >= 0; }
        // Empties the file and the hash, for a download that must start over.
        void restart();

      private:
        const Store& store_;
        Digest expected_;
        std::optional<std::uint64_t> expected_size_;
        std::filesystem::path temp_;
        int fd_ = -1;
        std::uint64_t written_ = 0;
        std::uint64_t flushed_ = 0;  // bytes already handed to the kernel's writeback
        Hasher hasher_;
    };

    // Stores a small in-memory blob (manifests) after verifying it; takes the digest's lock itself.
    void put(const Digest& digest, std::string_view bytes) const;

  private:
    int lock_fd(const Digest& digest, bool wait) const;  // -1 if !wait and the lock is held
    void sweep_ingest() const;
    std::filesystem::path root_;
};

}  // namespace boxtool
