// The content-addressed blob store: verified commits, nothing partial left behind, per-digest locks.

#include "store/store.hpp"
#include "boxtool/engine.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
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

TEST_F(StoreTest, DestroyingUncommittedWriterKeepsAPartialThatTheNextWriterResumes) {
    // A download cut short (or a process killed) leaves its bytes in ingest/; the next writer of
    // the same blob, here a new Store as in another process, hashes them forward and continues.
    const std::string data = "a partial download that is resumed later";
    const Digest d = digest_of(data);
    const std::size_t half = data.size() / 2;
    {
        Store store(root_);
        Store::Writer w(store, d, data.size());
        w.write(data.data(), half);
    }
    ASSERT_EQ(ingest().size(), 1u);
    EXPECT_EQ(ingest()[0].filename().string(), "sha256-" + d.hex + ".partial");
    Store store(root_);
    Store::Writer w(store, d, data.size());
    EXPECT_EQ(w.written(), half);
    EXPECT_EQ(w.resumed_from(), half);
    w.write(data.data() + half, data.size() - half);
    w.commit();
    EXPECT_EQ(read_file(store.blob_path(d)), data);
    EXPECT_TRUE(ingest().empty());
}

TEST_F(StoreTest, ResumedPartialWithWrongBytesIsRefusedAtCommitAndRemoved) {
    const std::string data = "the right content of this blob";
    const Digest d = digest_of(data);
    Store store(root_);
    std::ofstream(store.ingest_path(d), std::ios::binary) << "WRONG";
    Store::Writer w(store, d, data.size());
    EXPECT_EQ(w.written(), 5u);
    w.write(data.data() + 5, data.size() - 5);
    EXPECT_THROW(w.commit(), Failure);
    EXPECT_FALSE(store.contains(d));
    EXPECT_TRUE(ingest().empty());
}

TEST_F(StoreTest, PartialLongerThanTheBlobStartsOver) {
    const std::string data = "short";
    const Digest d = digest_of(data);
    Store store(root_);
    std::ofstream(store.ingest_path(d), std::ios::binary) << "much longer than the blob";
    Store::Writer w(store, d, data.size());
    EXPECT_EQ(w.written(), 0u);
    w.write(data.data(), data.size());
    w.commit();
    EXPECT_EQ(read_file(store.blob_path(d)), data);
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

TEST_F(StoreTest, LockFilesDoNotPileUp) {
    Store store(root_);
    for (int i = 0; i < 20; ++i) {
        auto held = store.lock(digest_of("blob " + std::to_string(i)));
    }
    EXPECT_TRUE(files_in(root_ / "locks").empty());
    // ... but a lock file stays while a partial download of its digest remains.
    const Digest d = digest_of("kept");
    {
        auto held = store.lock(d);
        Store::Writer w(store, d, 4);
        w.write("ke", 2);
    }
    EXPECT_TRUE(fs::exists(store.lock_path(d)));
}

TEST_F(StoreTest, LockStaysExclusiveWhileLockFilesAreRemoved) {
    // Each holder removes the lock file as it lets go; a waiter that then holds the lock of the
    // removed file must notice and lock the new one, or two holders would run at once.
    Store store(root_);
    const Digest d = digest_of("contended");
    std::atomic<int> inside{0};
    std::atomic<bool> overlap{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            Store mine(root_);  // its own descriptors, as another process would have
            for (int i = 0; i < 200; ++i) {
                auto held = mine.lock(d);
                if (inside.fetch_add(1) != 0) overlap = true;
                std::this_thread::yield();
                inside.fetch_sub(1);
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_FALSE(overlap.load());
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
        // No lock file: nobody holds the lock (a released lock removes its file).
        if (fd < 0) ::_exit(errno == ENOENT ? 1 : 2);
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
    // Ingest files of earlier versions (never resumed) whose digest lock is free are removed by the
    // next Store; one whose lock is held (a download in progress elsewhere) is left alone, and so
    // are ".partial" files, which the next pull of their blob resumes.
    const Digest stale = digest_of("stale");
    const Digest busy = digest_of("busy");
    Store holder(root_);
    auto held = holder.lock(busy);
    std::ofstream(root_ / "ingest" / ("sha256-" + stale.hex + ".123-0-abc")) << "partial";
    std::ofstream(root_ / "ingest" / ("sha256-" + busy.hex + ".456-0-def")) << "partial";
    std::ofstream(root_ / "ingest" / "unrelated-name") << "kept";
    std::ofstream(root_ / "ingest" / ("sha256-" + stale.hex + ".partial")) << "resumable";
    Store reopened(root_);
    EXPECT_TRUE(fs::exists(root_ / "ingest" / ("sha256-" + stale.hex + ".partial")));
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

// --- A store that defends itself (security review findings) ---

TEST_F(StoreTest, RefusesAStoreOwnedByAnotherUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the folder away";
    fs::create_directories(root_);
    ::chmod(root_.c_str(), 0755);
    ASSERT_EQ(::chown(root_.c_str(), 65534, 65534), 0);
    try {
        Store store(root_);
        FAIL() << "a store owned by another user was accepted";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Config);
        EXPECT_NE(f.error().message.find("another user"), std::string::npos) << f.error().message;
    }
}

TEST_F(StoreTest, RefusesAStoreOrSubfolderWritableByOthers) {
    { Store store(root_); }
    ASSERT_EQ(::chmod(root_.c_str(), 0777), 0);
    EXPECT_THROW(Store{root_}, Failure);
    ASSERT_EQ(::chmod(root_.c_str(), 0700), 0);
    for (const char* sub : {"blobs", "blobs/sha256", "ingest", "locks", "verified", "images"}) {
        ASSERT_EQ(::chmod((root_ / sub).c_str(), 0777), 0);
        try {
            Store store(root_);
            ADD_FAILURE() << sub << " writable by others was accepted";
        } catch (const Failure& f) {
            EXPECT_NE(f.error().message.find("other users may write"), std::string::npos)
                << f.error().message;
        }
        ASSERT_EQ(::chmod((root_ / sub).c_str(), 0700), 0);
    }
    EXPECT_NO_THROW(Store{root_});
}

TEST_F(StoreTest, NewStoreFoldersArePrivate) {
    Store store(root_);
    for (const char* sub : {"", "blobs", "ingest", "locks", "verified", "images"}) {
        struct stat st {};
        ASSERT_EQ(::stat((root_ / sub).c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0700u) << sub;
    }
}

TEST_F(StoreTest, RefusesASymlinkedSubfolder) {
    { Store store(root_); }
    fs::create_directories(dir_ / "elsewhere");
    fs::remove_all(root_ / "locks");
    fs::create_directory_symlink(dir_ / "elsewhere", root_ / "locks");
    EXPECT_THROW(Store{root_}, Failure);
}

TEST_F(StoreTest, RefusesAStoreBelowAFolderOthersMayWrite) {
    fs::create_directories(dir_ / "shared");
    ASSERT_EQ(::chmod((dir_ / "shared").c_str(), 0777), 0);  // no sticky bit: anyone may rename
    EXPECT_THROW(Store{dir_ / "shared" / "store"}, Failure);
    ASSERT_EQ(::chmod((dir_ / "shared").c_str(), 01777), 0);  // sticky, as /tmp: fine
    EXPECT_NO_THROW(Store{dir_ / "shared" / "store"});
}

TEST_F(StoreTest, LockAndIngestSymlinksAreNeverFollowed) {
    Store store(root_);
    const std::string data = "blob";
    const Digest d = digest_of(data);
    const fs::path target = dir_ / "root-only" / "created-by-boxtool";
    fs::create_directories(target.parent_path());
    fs::create_symlink(target, store.lock_path(d));
    EXPECT_THROW(store.lock(d), Failure);
    EXPECT_FALSE(fs::exists(target));
    fs::remove(store.lock_path(d));
    fs::create_symlink(target, store.ingest_path(d));
    auto held = store.lock(d);
    EXPECT_THROW(Store::Writer(store, d, data.size()), Failure);
    EXPECT_FALSE(fs::exists(target));
}

TEST_F(StoreTest, CheckBlobVerifiesReuseAndDiscardsATamperedCopy) {
    Store store(root_);
    const std::string data = "genuine layer bytes";
    const Digest d = digest_of(data);
    EXPECT_EQ(store.check_blob(d, data.size()), Store::BlobState::Missing);
    store.put(d, data);
    EXPECT_TRUE(fs::exists(store.verified_path(d)));
    EXPECT_EQ(store.check_blob(d, data.size()), Store::BlobState::Verified);
    // Same size, other bytes, and the mtime put back: the ctime still gives it away.
    struct stat before {};
    ASSERT_EQ(::stat(store.blob_path(d).c_str(), &before), 0);
    ::chmod(store.blob_path(d).c_str(), 0644);
    std::ofstream(store.blob_path(d), std::ios::binary) << "tampered layer byte";
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    ASSERT_EQ(::utimensat(AT_FDCWD, store.blob_path(d).c_str(), times, 0), 0);
    std::string why;
    EXPECT_EQ(store.check_blob(d, data.size(), &why), Store::BlobState::Discarded);
    EXPECT_NE(why.find("does not match its digest"), std::string::npos) << why;
    EXPECT_FALSE(fs::exists(store.blob_path(d)));
    EXPECT_EQ(store.check_blob(d, data.size()), Store::BlobState::Missing);
}

TEST_F(StoreTest, CheckBlobHashesAgainWhenThereIsNoRecord) {
    Store store(root_);
    const std::string data = "x";
    const Digest d = digest_of(data);
    store.put(d, data);
    fs::remove(store.verified_path(d));
    EXPECT_EQ(store.check_blob(d, 1), Store::BlobState::Verified);
    EXPECT_TRUE(fs::exists(store.verified_path(d)));                 // and remembers it
    EXPECT_EQ(store.check_blob(d, 2), Store::BlobState::Discarded);  // a wrong size is a bad copy
}

TEST_F(StoreTest, CheckBlobDiscardsSymlinksAndOtherUsersFiles) {
    Store store(root_);
    const std::string data = "planted";
    const Digest d = digest_of(data);
    std::ofstream(dir_ / "planted", std::ios::binary) << data;
    fs::create_symlink(dir_ / "planted", store.blob_path(d));
    EXPECT_EQ(store.check_blob(d, data.size()), Store::BlobState::Discarded);
    EXPECT_TRUE(fs::exists(dir_ / "planted"));  // the link went, not its target
    if (::geteuid() != 0) return;
    std::ofstream(store.blob_path(d), std::ios::binary) << data;
    ASSERT_EQ(::chown(store.blob_path(d).c_str(), 65534, 65534), 0);
    std::string why;
    EXPECT_EQ(store.check_blob(d, data.size(), &why), Store::BlobState::Discarded);
    EXPECT_NE(why.find("another user"), std::string::npos) << why;
}

TEST_F(StoreTest, PruneWaitsForPullsThroughTheUseLock) {
    Store store(root_);
    {
        auto shared = store.use_shared();
        auto second = store.use_shared();  // pulls share it
        EXPECT_FALSE(store.use_exclusive(false).has_value());
    }
    EXPECT_TRUE(store.use_exclusive(false).has_value());
}

TEST(DefaultStoreRoot, NeverASharedWorldWritablePlace) {
    // Without HOME and XDG_DATA_HOME the store is in the account's home (from the password
    // database), never a guessable path in /tmp that another user could create first.
    std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
    std::string xdg = std::getenv("XDG_DATA_HOME") ? std::getenv("XDG_DATA_HOME") : "";
    ::unsetenv("HOME");
    ::unsetenv("XDG_DATA_HOME");
    auto root = default_store_root();
    if (!home.empty()) ::setenv("HOME", home.c_str(), 1);
    if (!xdg.empty()) ::setenv("XDG_DATA_HOME", xdg.c_str(), 1);
    if (!root) {
        EXPECT_EQ(root.error().kind, ErrorKind::Config);
        return;
    }
    EXPECT_NE(root->string().rfind("/tmp", 0), 0u) << *root;
    EXPECT_NE(root->string().rfind("/var/tmp", 0), 0u) << *root;
    EXPECT_NE(root->string().rfind("/dev/shm", 0), 0u) << *root;
}

}  // namespace
}  // namespace boxtool
