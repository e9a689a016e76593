// The content-addressed blob store: verified commits, nothing partial left behind, per-digest locks.

#include "store/store.hpp"
#include "boxtool/engine.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace boxtool {
namespace {
namespace fs = std::filesystem;

class StoreTest : public testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "boxtool-store-test-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << std::strerror(errno);
        dir_ = tmpl;
        root_ = dir_ / "store";
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    static std::vector<fs::path> files_in(const fs::path& p) {
        std::vector<fs::path> out;
        std::error_code ec;
        for (const auto& e : fs::recursive_directory_iterator(p, ec))
            if (!e.is_directory()) out.push_back(e.path());
        return out;
    }
    std::vector<fs::path> blobs() const { return files_in(root_ / "blobs"); }
    std::vector<fs::path> ingest() const { return files_in(root_ / "ingest"); }

    static std::string read_file(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

    fs::path dir_;
    fs::path root_;
};

TEST_F(StoreTest, CreatesLayout) {
    Store store(root_);
    EXPECT_EQ(store.root(), root_);
    for (const char* sub : {"blobs/sha256", "blobs/sha512", "ingest", "locks"})
        EXPECT_TRUE(fs::is_directory(root_ / sub)) << sub;
    // Opening an existing store is fine.
    Store again(root_);
    EXPECT_TRUE(fs::is_directory(root_ / "ingest"));
}

TEST_F(StoreTest, UnwritableRootThrowsIo) {
    const fs::path file = dir_ / "a-file";
    std::ofstream(file) << "x";
    try {
        Store store(file / "store");
        FAIL() << "no exception";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Io);
        EXPECT_NE(f.error().message.find("cannot create store directory"), std::string::npos);
    }
}

TEST_F(StoreTest, BlobPathLayout) {
    Store store(root_);
    Digest d = digest_of("x");
    EXPECT_EQ(store.blob_path(d), root_ / "blobs" / "sha256" / d.hex);
    Digest d512 = digest_of("x", "sha512");
    EXPECT_EQ(store.blob_path(d512), root_ / "blobs" / "sha512" / d512.hex);
}

TEST_F(StoreTest, CommitMakesBlobVisibleOnlyAfterVerification) {
    Store store(root_);
    const std::string data = "hello, content-addressed world";
    const Digest d = digest_of(data);
    {
        Store::Writer w(store, d, data.size());
        w.write(data.data(), 5);
        EXPECT_EQ(w.written(), 5u);
        EXPECT_FALSE(store.contains(d));
        EXPECT_TRUE(blobs().empty());
        EXPECT_EQ(ingest().size(), 1u);  // the download in progress lives in ingest/
        w.write(data.data() + 5, data.size() - 5);
        EXPECT_EQ(w.written(), data.size());
        EXPECT_FALSE(store.contains(d)) << "visible before commit";
        EXPECT_TRUE(blobs().empty());
        w.commit();
        EXPECT_TRUE(store.contains(d));
    }
    EXPECT_EQ(read_file(store.blob_path(d)), data);
    EXPECT_TRUE(ingest().empty());
    EXPECT_EQ(blobs().size(), 1u);
    auto small = store.read_small(d, 1024);
    ASSERT_TRUE(small.has_value());
    EXPECT_EQ(*small, data);
}

TEST_F(StoreTest, CommitWithoutExpectedSize) {
    Store store(root_);
    const std::string data(100000, 'z');
    const Digest d = digest_of(data, "sha512");
    Store::Writer w(store, d, std::nullopt);
    for (std::size_t off = 0; off < data.size(); off += 4096)
        w.write(data.data() + off, std::min<std::size_t>(4096, data.size() - off));
    w.commit();
    EXPECT_TRUE(store.contains(d));
    EXPECT_EQ(read_file(store.blob_path(d)), data);
    EXPECT_TRUE(ingest().empty());
}

TEST_F(StoreTest, EmptyBlob) {
    Store store(root_);
    const Digest d = digest_of("");
    Store::Writer w(store, d, 0);
    w.commit();
    EXPECT_TRUE(store.contains(d));
    EXPECT_EQ(store.read_small(d, 0), std::optional<std::string>(""));
}

TEST_F(StoreTest, DigestMismatchLeavesNothing) {
    Store store(root_);
    const std::string data = "the real content";
    const Digest expected = digest_of("other content");
    Store::Writer w(store, expected, data.size());
    w.write(data.data(), data.size());
    try {
        w.commit();
        FAIL() << "no exception";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::DigestMismatch);
        EXPECT_NE(f.error().message.find(expected.str()), std::string::npos) << f.error().message;
        EXPECT_NE(f.error().message.find(digest_of(data).str()), std::string::npos) << f.error().message;
    }
    EXPECT_FALSE(store.contains(expected));
    EXPECT_FALSE(store.contains(digest_of(data)));
    EXPECT_TRUE(blobs().empty());
    EXPECT_TRUE(ingest().empty());
    // The writer is closed now.
    EXPECT_THROW(w.commit(), Failure);
    EXPECT_THROW(w.write("x", 1), Failure);
}

TEST_F(StoreTest, SizeMismatchTooLongLeavesNothing) {
    Store store(root_);
    const std::string data = "0123456789";
    const Digest d = digest_of(data);
    Store::Writer w(store, d, 8);
    w.write(data.data(), 8);
    try {
        w.write(data.data() + 8, 2);
        FAIL() << "no exception";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::SizeMismatch);
        EXPECT_NE(f.error().message.find("larger than its declared size of 8 bytes"), std::string::npos)
            << f.error().message;
    }
    EXPECT_TRUE(blobs().empty());
    EXPECT_TRUE(ingest().empty());
    EXPECT_THROW(w.commit(), Failure);
    EXPECT_TRUE(blobs().empty());
}

TEST_F(StoreTest, SizeMismatchTooLongInOneWrite) {
    Store store(root_);
    const std::string data = "0123456789";
    Store::Writer w(store, digest_of(data), 3);
    EXPECT_THROW(w.write(data.data(), data.size()), Failure);
    EXPECT_TRUE(blobs().empty());
    EXPECT_TRUE(ingest().empty());
}

TEST_F(StoreTest, SizeMismatchTooShortLeavesNothing) {
    Store store(root_);
    const std::string data = "0123456789";
    const Digest d = digest_of(data.substr(0, 6));  // even the digest of what was written does not help
    Store::Writer w(store, d, data.size());
    w.write(data.data(), 6);
    try {
        w.commit();
        FAIL() << "no exception";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::SizeMismatch);
        EXPECT_NE(f.error().message.find("has 6 bytes, but its descriptor says 10"), std::string::npos)
            << f.error().message;
    }
    EXPECT_FALSE(store.contains(d));
    EXPECT_TRUE(blobs().empty());
    EXPECT_TRUE(ingest().empty());
}

TEST_F(StoreTest, DestroyingUncommittedWriterLeavesNothing) {
    Store store(root_);
    const std::string data = "partial download";
    const Digest d = digest_of(data);
    {
        Store::Writer w(store, d, data.size());
        w.write(data.data(), data.size());
        EXPECT_EQ(ingest().size(), 1u);
    }
    EXPECT_FALSE(store.contains(d));
    EXPECT_TRUE(blobs().empty());
    EXPECT_TRUE(ingest().empty());
}

TEST_F(StoreTest, DiscardLeavesNothingAndIsIdempotent) {
    Store store(root_);
    const std::string data = "abc";
    Store::Writer w(store, digest_of(data), data.size());
    w.write(data.data(), data.size());
    w.discard();
    EXPECT_TRUE(ingest().empty());
    w.discard();
    EXPECT_THROW(w.commit(), Failure);
    EXPECT_TRUE(blobs().empty());
}

TEST_F(StoreTest, ConcurrentWritersOfTheSameBlobUseSeparateIngestFiles) {
    Store store(root_);
    const std::string data = "same blob twice";
    const Digest d = digest_of(data);
    Store::Writer a(store, d, data.size());
    Store::Writer b(store, d, data.size());
    EXPECT_EQ(ingest().size(), 2u);
    a.write(data.data(), data.size());
    b.write(data.data(), data.size());
    a.commit();
    b.commit();  // replaces the identical blob atomically
    EXPECT_EQ(read_file(store.blob_path(d)), data);
    EXPECT_EQ(blobs().size(), 1u);
    EXPECT_TRUE(ingest().empty());
}

TEST_F(StoreTest, Put) {
    Store store(root_);
    const std::string manifest = R"({"schemaVersion":2})";
    const Digest d = digest_of(manifest);
    store.put(d, manifest);
    EXPECT_TRUE(store.contains(d));
    EXPECT_EQ(store.read_small(d, 1024), std::optional<std::string>(manifest));
    EXPECT_TRUE(ingest().empty());
    // Putting it again is harmless.
    store.put(d, manifest);
    EXPECT_EQ(blobs().size(), 1u);
}

TEST_F(StoreTest, PutWithWrongDigestThrowsAndLeavesNothing) {
    Store store(root_);
    const Digest wrong = digest_of("something else");
    try {
        store.put(wrong, "content");
        FAIL() << "no exception";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::DigestMismatch);
    }
    EXPECT_FALSE(store.contains(wrong));
    EXPECT_TRUE(blobs().empty());
    EXPECT_TRUE(ingest().empty());
}

TEST_F(StoreTest, ReadSmallLimitsAndVerifies) {
    Store store(root_);
    const std::string data(100, 'q');
    const Digest d = digest_of(data);
    EXPECT_EQ(store.read_small(d, 1000), std::nullopt);  // absent
    store.put(d, data);
    EXPECT_EQ(store.read_small(d, 100), std::optional<std::string>(data));
    EXPECT_EQ(store.read_small(d, 99), std::nullopt);  // too large for the caller

    // A blob edited behind the store's back is not returned.
    fs::permissions(store.blob_path(d), fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(store.blob_path(d), std::ios::binary | std::ios::trunc) << std::string(100, 'x');
    EXPECT_EQ(store.read_small(d, 1000), std::nullopt);
}

TEST_F(StoreTest, DefaultRootFollowsXdgDataHome) {
    const char* old_xdg = std::getenv("XDG_DATA_HOME");
    const std::string saved = old_xdg ? old_xdg : "";
    ::setenv("XDG_DATA_HOME", "/tmp/xdg-test", 1);
    EXPECT_EQ(default_store_root().value(), fs::path("/tmp/xdg-test/boxtool/store"));
    ::setenv("XDG_DATA_HOME", "relative/path", 1);  // not absolute: ignored
    EXPECT_NE(default_store_root().value(), fs::path("relative/path/boxtool/store"));
    if (old_xdg)
        ::setenv("XDG_DATA_HOME", saved.c_str(), 1);
    else
        ::unsetenv("XDG_DATA_HOME");
}

// --- Locks

fs::path lock_file(const fs::path& root, const Digest& d) {
    return root / "locks" / (d.algorithm + "-" + d.hex + ".lock");
}

// In a child process: try to take the lock without waiting. Exit 0 = would block, 1 = acquired,
// 2 = error.
int try_lock_in_child(const fs::path& path) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0) ::_exit(2);
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) ::_exit(1);
        ::_exit(errno == EWOULDBLOCK ? 0 : 2);
    }
    if (pid < 0) return -1;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(StoreTest, LockExcludesASecondProcess) {
    Store store(root_);
    const Digest d = digest_of("locked blob");
    const fs::path path = lock_file(root_, d);
    {
        Store::Lock lock = store.lock(d);
        ASSERT_TRUE(fs::exists(path)) << path;
        EXPECT_EQ(try_lock_in_child(path), 0) << "another process could take the lock";
        // Moving the lock keeps it held.
        Store::Lock moved(std::move(lock));
        EXPECT_EQ(try_lock_in_child(path), 0) << "moved-from lock released the flock";
    }
    EXPECT_EQ(try_lock_in_child(path), 1) << "the lock was not released on destruction";
}

TEST_F(StoreTest, LocksArePerDigest) {
    Store store(root_);
    const Digest a = digest_of("a");
    const Digest b = digest_of("b");
    Store::Lock la = store.lock(a);
    Store::Lock lb = store.lock(b);  // does not block: a different digest
    (void)store.lock(digest_of("c", "sha512"));
    EXPECT_EQ(try_lock_in_child(lock_file(root_, a)), 0);
    EXPECT_EQ(try_lock_in_child(lock_file(root_, b)), 0);
    EXPECT_EQ(try_lock_in_child(lock_file(root_, digest_of("c", "sha512"))), 1);
}

TEST_F(StoreTest, LockExcludesASecondStoreInAnotherThread) {
    // Two Store objects on the same root, as two processes would have. The second thread must not get
    // the lock until the first thread has released it; `released` is set just before the release, so
    // the check below needs no timing.
    Store first(root_);
    Store second(root_);
    const Digest d = digest_of("contended");
    std::atomic<bool> released{false};
    std::atomic<bool> saw_release{false};
    std::atomic<bool> waiting{false};

    std::optional<Store::Lock> held;
    held.emplace(first.lock(d));
    std::thread contender([&] {
        waiting = true;
        Store::Lock l = second.lock(d);  // blocks while the first lock is held
        saw_release = released.load();
    });
    while (!waiting.load()) std::this_thread::yield();
    // Whether or not the contender has reached flock yet, it cannot hold the lock now.
    EXPECT_EQ(try_lock_in_child(lock_file(root_, d)), 0);
    released = true;
    held.reset();
    contender.join();
    EXPECT_TRUE(saw_release.load()) << "the second lock was granted while the first was held";
    EXPECT_EQ(try_lock_in_child(lock_file(root_, d)), 1);
}

TEST_F(StoreTest, OpeningSweepsIngestFilesNobodyHolds) {
    // A pull killed mid-download leaves an ingest file whose digest lock is free: the next Store
    // removes it. One whose lock is held (a download in progress elsewhere) is left alone.
    const Digest stale = digest_of("stale");
    const Digest busy = digest_of("busy");
    Store holder(root_);
    auto held = holder.lock(busy);
    std::ofstream(root_ / "ingest" / ("sha256-" + stale.hex + ".123-0-abc")) << "partial";
    std::ofstream(root_ / "ingest" / ("sha256-" + busy.hex + ".456-0-def")) << "partial";
    std::ofstream(root_ / "ingest" / "unrelated-name") << "kept";
    Store reopened(root_);
    EXPECT_FALSE(fs::exists(root_ / "ingest" / ("sha256-" + stale.hex + ".123-0-abc")));
    EXPECT_TRUE(fs::exists(root_ / "ingest" / ("sha256-" + busy.hex + ".456-0-def")));
    EXPECT_TRUE(fs::exists(root_ / "ingest" / "unrelated-name"));
}

TEST_F(StoreTest, PutOfPresentBlobStillRejectsWrongBytes) {
    Store store(root_);
    const std::string data = "manifest";
    store.put(digest_of(data), data);
    EXPECT_NO_THROW(store.put(digest_of(data), data));
    try {
        store.put(digest_of(data), "other bytes!");
        FAIL() << "wrong bytes were accepted for a present digest";
    } catch (const Failure& f) {
        EXPECT_TRUE(f.error().kind == ErrorKind::DigestMismatch || f.error().kind == ErrorKind::SizeMismatch);
    }
    EXPECT_EQ(store.read_small(digest_of(data), 100), data);
}

}  // namespace
}  // namespace boxtool
