// A layer read as it downloads: the follower sees the bytes the download wrote, in order, ends
// only once the download is stored, and notices a download that starts over, gives up or is
// cancelled. Threads here are real: the download side writes a real file while a reader waits.
#include "output/blob_source.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "boxtool/error.hpp"

namespace boxtool::output {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The download side: an ingest file written in steps, announced to an ArrivingBlob.
class FakeDownload {
  public:
    explicit FakeDownload(std::uint64_t size) {
        dir_ = fs::temp_directory_path() /
               ("boxtool-follow-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
        fs::create_directories(dir_);
        Descriptor d;
        d.size = size;
        d.media_type = "application/vnd.oci.image.layer.v1.tar";
        blob = std::make_shared<ArrivingBlob>(d);
        open_file();
    }
    ~FakeDownload() {
        if (fd_ >= 0) ::close(fd_);
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    void open_file() {
        if (fd_ >= 0) ::close(fd_);
        ::unlink((dir_ / "partial").c_str());
        fd_ = ::open((dir_ / "partial").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
        ASSERT_GE(fd_, 0);
        written_ = 0;
        blob->writing(fd_, 0);
    }
    void write(const std::string& bytes) {
        ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
        written_ += bytes.size();
        blob->wrote(written_);
    }
    void restart() {
        ASSERT_EQ(::ftruncate(fd_, 0), 0);
        ASSERT_EQ(::lseek(fd_, 0, SEEK_SET), 0);
        written_ = 0;
        blob->restarted();
    }

    std::shared_ptr<ArrivingBlob> blob;

  private:
    static inline std::atomic<int> counter_{0};
    fs::path dir_;
    int fd_ = -1;
    std::uint64_t written_ = 0;
};

std::string read_all(BlobSource& source) {
    std::string out;
    char buf[7];  // small reads: many waits and wake-ups
    for (std::size_t n; (n = source.read(buf, sizeof buf)) > 0;) out.append(buf, n);
    return out;
}

// A read of up to 16 bytes on another thread, given time to start waiting.
std::future<std::size_t> waiting_read(BlobSource& source) {
    auto read = std::async(std::launch::async, [&source] {
        char buf[16];
        return source.read(buf, sizeof buf);
    });
    std::this_thread::sleep_for(20ms);
    return read;
}

TEST(FollowedBlobSource, ReadsWhatTheDownloadWroteAndEndsOnlyOnceItIsStored) {
    const std::string content = "0123456789abcdefghijklmnopqrstuvwxyz";
    FakeDownload download(content.size());
    std::stop_source stop;
    FollowedBlobSource source(download.blob, stop.get_token(), "layer 1");
    auto reader = std::async(std::launch::async, [&] { return read_all(source); });
    for (std::size_t at = 0; at < content.size(); at += 5) {
        download.write(content.substr(at, 5));
        std::this_thread::sleep_for(2ms);
    }
    // Every byte is written, but the blob is not verified yet: the reader must still be waiting.
    EXPECT_EQ(reader.wait_for(100ms), std::future_status::timeout);
    download.blob->stored();
    ASSERT_EQ(reader.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(reader.get(), content);
}

TEST(FollowedBlobSource, PeekedBytesAreReadAgain) {
    FakeDownload download(6);
    download.write(
        "\x1f\x8b"
        "abcd");
    download.blob->stored();
    std::stop_source stop;
    FollowedBlobSource source(download.blob, stop.get_token(), "layer 1");
    EXPECT_EQ(source.peek(2), "\x1f\x8b");
    EXPECT_EQ(read_all(source),
              "\x1f\x8b"
              "abcd");
}

TEST(FollowedBlobSource, ADownloadThatStartsOverVoidsWhatWasRead) {
    FakeDownload download(10);
    std::stop_source stop;
    FollowedBlobSource source(download.blob, stop.get_token(), "layer 1");
    download.write("bad-b");
    char buf[16];
    EXPECT_EQ(source.read(buf, 5), 5u);
    download.restart();
    download.write("good-bytes");
    EXPECT_THROW(source.read(buf, sizeof buf), DownloadStartedOver);
}

TEST(FollowedBlobSource, AFreshFileWithFewerBytesIsANewGeneration) {
    // A partial discarded after a digest mismatch: the next attempt writes a new, empty file.
    FakeDownload download(10);
    std::stop_source stop;
    FollowedBlobSource source(download.blob, stop.get_token(), "layer 1");
    download.write("0123456789");
    char buf[16];
    EXPECT_EQ(source.read(buf, sizeof buf), 10u);
    download.open_file();
    download.write("0123456789");
    download.blob->stored();
    EXPECT_THROW(source.read(buf, sizeof buf), DownloadStartedOver);
}

TEST(FollowedBlobSource, AnAbandonedDownloadEndsTheReadAsCancelled) {
    FakeDownload download(10);
    std::stop_source stop;
    FollowedBlobSource source(download.blob, stop.get_token(), "layer 1");
    auto reader = waiting_read(source);
    download.blob->abandoned();
    ASSERT_EQ(reader.wait_for(10s), std::future_status::ready);
    try {
        reader.get();
        FAIL() << "the read did not fail";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Cancelled);
    }
}

TEST(FollowedBlobSource, AWaitingReadEndsWhenThePullStopsOrTheReaderCancels) {
    for (bool by_pull : {true, false}) {
        FakeDownload download(10);
        std::stop_source stop;
        FollowedBlobSource source(download.blob, stop.get_token(), "layer 1");
        auto reader = waiting_read(source);
        if (by_pull)
            stop.request_stop();
        else
            source.cancel();
        ASSERT_EQ(reader.wait_for(10s), std::future_status::ready) << by_pull;
        EXPECT_THROW(reader.get(), Failure) << by_pull;
    }
}

TEST(FollowedBlobSource, AReadWaitsForAllItAsksUnlessTheBlobEndsSooner) {
    // One wake-up per large read, not per network read: a reader asking for 8 bytes is not woken
    // by the first 3; a blob whose last bytes are fewer ends the wait.
    FakeDownload download(11);
    std::stop_source stop;
    FollowedBlobSource source(download.blob, stop.get_token(), "layer 1");
    auto first = std::async(std::launch::async, [&] {
        char buf[8];
        return source.read(buf, sizeof buf);
    });
    download.write("abc");
    EXPECT_EQ(first.wait_for(50ms), std::future_status::timeout);
    download.write("defgh");
    ASSERT_EQ(first.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(first.get(), 8u);
    auto second = std::async(std::launch::async, [&] {
        char buf[8];
        return source.read(buf, sizeof buf);
    });
    download.write("ijk");
    ASSERT_EQ(second.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(second.get(), 3u);
}

TEST(StoredBlobSource, AMissingBlobIsAClearError) {
    try {
        StoredBlobSource source("/nonexistent/boxtool/blob", "layer 3 (sha256:abc)");
        FAIL() << "opened a missing blob";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Io);
        EXPECT_NE(f.error().message.find("layer 3 (sha256:abc)"), std::string::npos) << f.error().message;
    }
}

}  // namespace
}  // namespace boxtool::output
