// The embedding API against real registry:2 instances: output sinks (the call protocol, a failing
// sink stopping the pull, failover re-preparing), progress on the caller's thread, cancellation
// that stops a download the registry holds back, and one Engine shared by eight threads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "boxtool/engine.hpp"
#include "boxtool/output.hpp"
#include "e2e_support.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/files.hpp"
#include "harness/gated_proxy.hpp"
#include "harness/images.hpp"
#include "harness/paths.hpp"
#include "harness/process.hpp"
#include "harness/script_server.hpp"

namespace boxtool::conformance {
namespace {
namespace fs = std::filesystem;

std::string sha256_of_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    Hasher h;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) h.update(buf, static_cast<std::size_t>(in.gcount()));
    return h.finish().str();
}

// Records every call it gets; can fail or throw on a chosen call.
class RecordingSink final : public OutputSink {
  public:
    enum class Misbehave { None, FailFirstBlob, ThrowFirstBlob };
    explicit RecordingSink(Misbehave m = Misbehave::None) : misbehave_(m) {}

    std::string describe() const override { return "recording"; }
    Result<void> prepare(const ResolvedImage& image, SinkContext&) override {
        std::lock_guard lock(mutex);
        calls.push_back("prepare " + image.reference.registry);
        images.push_back(image);
        return {};
    }
    Result<void> blob_stored(const StoredBlob& blob) override {
        std::lock_guard lock(mutex);
        if (busy.exchange(true)) overlapping = true;
        calls.push_back("blob " + blob.descriptor.digest.str());
        hashes[blob.descriptor.digest.str()] = sha256_of_file(blob.path);
        busy = false;
        if (misbehave_ == Misbehave::FailFirstBlob)
            return Error{ErrorKind::Io,
                         "the recording sink refuses " + blob.descriptor.digest.short_str(),
                         {},
                         {},
                         "this sink fails on purpose"};
        if (misbehave_ == Misbehave::ThrowFirstBlob) throw std::runtime_error("recording sink exploded");
        return {};
    }
    Result<OutputReport> finish() override {
        std::lock_guard lock(mutex);
        calls.push_back("finish");
        return OutputReport{"recording:done", "rn", {}, {"a warning"}};
    }
    void abort() noexcept override {
        std::lock_guard lock(mutex);
        calls.push_back("abort");
    }

    int count(const std::string& prefix) const {
        int n = 0;
        for (const auto& c : calls) n += c.rfind(prefix, 0) == 0 ? 1 : 0;
        return n;
    }

    std::mutex mutex;
    std::vector<std::string> calls;
    std::vector<ResolvedImage> images;
    std::map<std::string, std::string> hashes;  // digest -> hash of the file handed over
    std::atomic<bool> busy{false};
    bool overlapping = false;

  private:
    Misbehave misbehave_;
};

class EngineApiTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push(
            {.out = env.path("src"), .tag = "v1", .layers = 4, .layer_size = 128 * 1024}, registry.host(),
            "api/app:v1");
    }
    EngineOptions options(std::vector<std::string> insecure = {}) {
        EngineOptions o;
        o.store_root = env.store();
        o.insecure_registries = insecure.empty() ? std::vector<std::string>{registry.host()} : insecure;
        o.retries = 0;
        return o;
    }
    std::string ref() const { return registry.host() + "/api/app:v1"; }

    harness::RegistryServer registry;
    CliEnv env;
    harness::ImageInfo image;
};

TEST_F(EngineApiTest, ASinkGetsPrepareEveryVerifiedBlobThenFinish) {
    Engine engine(options());
    auto sink = std::make_shared<RecordingSink>();
    PullOptions po;
    po.outputs = {sink};
    auto r = engine.pull(ref(), po);
    ASSERT_TRUE(r) << r.error().describe();
    const auto& m = image.manifests.at(0);
    ASSERT_EQ(sink->images.size(), 1u);
    EXPECT_EQ(sink->images[0].manifest_digest.str(), m.digest);
    EXPECT_EQ(digest_of(sink->images[0].manifest_bytes).str(), m.digest) << "the manifest bytes as served";
    EXPECT_EQ(sink->images[0].requested.str(), ref());
    EXPECT_EQ(sink->calls.front(), "prepare " + registry.host());
    EXPECT_EQ(sink->calls.back(), "finish");
    EXPECT_EQ(sink->count("blob "), static_cast<int>(m.layers.size()) + 1);  // the config and each layer
    EXPECT_EQ(sink->count("abort"), 0);
    EXPECT_FALSE(sink->overlapping) << "blob_stored calls overlapped";
    for (const auto& [digest, hash] : sink->hashes)
        EXPECT_EQ(hash, digest) << "the file handed over is verified";
    ASSERT_EQ(r->outputs.size(), 1u);
    EXPECT_EQ(r->outputs[0].where, "recording:done");
    EXPECT_EQ(r->outputs[0].warnings, std::vector<std::string>{"a warning"});
    EXPECT_EQ(r->manifest_digest.str(), m.digest);

    // Pulled again: every blob comes from the store, and the sink still gets each one.
    auto again = std::make_shared<RecordingSink>();
    po.outputs = {again};
    auto r2 = engine.pull(ref(), po);
    ASSERT_TRUE(r2) << r2.error().describe();
    EXPECT_EQ(r2->blobs_downloaded, 0);
    EXPECT_EQ(again->count("blob "), static_cast<int>(m.layers.size()) + 1);
}

TEST_F(EngineApiTest, AFailingSinkStopsThePullAndIsAborted) {
    Engine engine(options());
    auto sink = std::make_shared<RecordingSink>(RecordingSink::Misbehave::FailFirstBlob);
    PullOptions po;
    po.outputs = {sink};
    po.jobs = 1;  // one download at a time: after the refusal no other may start
    std::vector<ProgressEvent::Type> events;
    po.progress = [&](const ProgressEvent& e) { events.push_back(e.type); };
    auto r = engine.pull(ref(), po);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Io) << r.error().describe();
    EXPECT_NE(r.error().message.find("the recording sink refuses"), std::string::npos)
        << r.error().describe();
    EXPECT_EQ(r.error().registry, registry.host());
    EXPECT_EQ(sink->count("blob "), 1);
    EXPECT_EQ(sink->count("abort"), 1);
    EXPECT_EQ(sink->count("finish"), 0);
    int started = 0;
    for (auto t : events) started += t == ProgressEvent::Type::BlobStart ? 1 : 0;
    EXPECT_LE(started, 2) << "downloads went on after the sink failed";
}

TEST_F(EngineApiTest, ASinkThatThrowsIsReportedAsABrokenSink) {
    Engine engine(options());
    auto sink = std::make_shared<RecordingSink>(RecordingSink::Misbehave::ThrowFirstBlob);
    PullOptions po;
    po.outputs = {sink};
    auto r = engine.pull(ref(), po);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Internal);
    EXPECT_NE(r.error().message.find("the output recording threw from blob_stored: recording sink exploded"),
              std::string::npos)
        << r.error().describe();
    EXPECT_EQ(sink->count("abort"), 1);
}

TEST_F(EngineApiTest, AFailedCandidateAbortsTheSinkAndTheNextOneIsPreparedAgain) {
    // The first candidate serves the manifest but fails every blob; the second serves the image.
    harness::FaultProxy broken({.upstream = registry.url(), .fail = {"GET /blobs/sha256::500:*"}});
    broken.start();
    EngineOptions o = options({registry.host(), broken.host()});
    o.search_registries = {broken.host(), registry.host()};
    Engine engine(o);
    auto sink = std::make_shared<RecordingSink>();
    PullOptions po;
    po.outputs = {sink};
    auto r = engine.pull("api/app:v1", po);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->reference.registry, registry.host());
    EXPECT_EQ(sink->count("prepare " + broken.host()), 1);
    EXPECT_EQ(sink->count("abort"), 1);
    EXPECT_EQ(sink->count("prepare " + registry.host()), 1);
    EXPECT_EQ(sink->calls.back(), "finish");
    ASSERT_EQ(r->attempts.size(), 2u);
    EXPECT_TRUE(r->attempts[0].error.has_value());
}

TEST_F(EngineApiTest, ProgressArrivesOnTheCallingThreadInOrderWithAStableTotal) {
    Engine engine(options());
    PullOptions po;
    auto layout = make_output({.kind = OutputSpec::Kind::Rootfs, .path = env.path("rootfs")});
    ASSERT_TRUE(layout);
    po.outputs = {*layout};
    std::vector<ProgressEvent> events;
    std::set<std::thread::id> threads;
    po.progress = [&](const ProgressEvent& e) {
        threads.insert(std::this_thread::get_id());
        events.push_back(e);
    };
    auto r = engine.pull(ref(), po);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(threads, std::set<std::thread::id>{std::this_thread::get_id()});
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.front().type, ProgressEvent::Type::CandidateStart);
    EXPECT_EQ(events.back().type, ProgressEvent::Type::OutputWritten);
    // Resolved announces the total; every blob is queued before any download starts.
    std::uint64_t total = 0, queued = 0;
    bool started = false, queued_after_start = false;
    int unpacked = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        EXPECT_EQ(e.image, ref());
        if (i) {
            EXPECT_GE(e.time, events[i - 1].time) << "events out of order";
        }
        if (e.type == ProgressEvent::Type::Resolved) total = e.total;
        if (e.type == ProgressEvent::Type::BlobQueued) {
            queued += e.total;
            queued_after_start = queued_after_start || started;
        }
        if (e.type == ProgressEvent::Type::BlobStart) started = true;
        if (e.type == ProgressEvent::Type::LayerUnpacked) ++unpacked;
    }
    EXPECT_GT(total, 0u);
    EXPECT_EQ(queued, total);
    EXPECT_FALSE(queued_after_start);
    EXPECT_EQ(unpacked, static_cast<int>(image.manifests.at(0).layers.size()));
    EXPECT_NE(to_json(events.back()).find("\"event\":\"output-written\""), std::string::npos);
}

TEST_F(EngineApiTest, CancellingStopsADownloadTheRegistryHoldsBack) {
    // The gated proxy never answers the last layer's request: only the stop can end the pull.
    const std::string held = image.manifests.at(0).layers.back().digest;
    harness::GatedProxy proxy(registry.url(), "/blobs/" + held);  // never opened while the pull runs
    const std::string host = proxy.host();
    EngineOptions o = options({host});
    o.io_timeout = std::chrono::seconds(300);  // far beyond the test's patience: the stop must do it
    o.retries = 3;
    Engine engine(o);
    auto out = make_output({.kind = OutputSpec::Kind::Rootfs, .path = env.path("rootfs")});
    ASSERT_TRUE(out);

    std::stop_source stop;
    PullOptions po;
    po.outputs = {*out};
    po.stop = stop.get_token();
    std::promise<void> held_started;
    bool announced = false;
    po.progress = [&](const ProgressEvent& e) {
        if (e.type == ProgressEvent::Type::BlobStart && e.digest && e.digest->str() == held && !announced) {
            announced = true;
            held_started.set_value();
        }
    };
    auto pulled = std::async(std::launch::async, [&] { return engine.pull(host + "/api/app:v1", po); });
    ASSERT_EQ(held_started.get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready)
        << "the held layer's download never started";
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it block on the silent proxy
    auto asked = std::chrono::steady_clock::now();
    stop.request_stop();
    // Generous, and far below the 300 s the read would otherwise wait: the connection is shut down.
    ASSERT_EQ(pulled.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "the stop was ignored";
    auto took = std::chrono::steady_clock::now() - asked;
    auto r = pulled.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Cancelled) << r.error().describe();
    EXPECT_LT(took, std::chrono::seconds(30));
    EXPECT_FALSE(fs::exists(env.path("rootfs")));
    for (const auto& entry : fs::directory_iterator(env.root()))
        EXPECT_EQ(entry.path().filename().string().find(".boxtool-"), std::string::npos)
            << "left behind: " << entry.path();
    EXPECT_TRUE(stray_ingest_files(env.store()).empty());  // partials stay, to be resumed
}

TEST_F(EngineApiTest, AStopRequestedBeforeThePullStartsDownloadsNothing) {
    Engine engine(options());
    std::stop_source stop;
    stop.request_stop();
    PullOptions po;
    po.stop = stop.get_token();
    auto r = engine.pull(ref(), po);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Cancelled);
    EXPECT_FALSE(
        fs::exists(env.store() / "blobs" / "sha256" / image.manifests[0].layers[0].digest.substr(7)));
}

TEST_F(EngineApiTest, EightThreadsShareOneEngineAndEachBlobIsDownloadedOnce) {
    // Four images that share their base layers (same seed, different layer counts), each pulled
    // twice, from eight threads at once, through a proxy that counts what the registry was asked.
    std::vector<harness::ImageInfo> images;
    for (int i = 0; i < 4; ++i)
        images.push_back(harness::make_and_push({.out = env.path("src" + std::to_string(i)),
                                                 .tag = "v1",
                                                 .layers = 2 + i,
                                                 .layer_size = 96 * 1024},
                                                registry.host(), "api/shared" + std::to_string(i) + ":v1"));
    harness::FaultProxy counter({.upstream = registry.url()});
    counter.start();
    Engine engine(options({counter.host()}));
    std::vector<Result<PullResult>> results(8, Error{});
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            PullOptions po;
            auto out = make_output({.kind = OutputSpec::Kind::OciLayout,
                                    .path = env.path("layout" + std::to_string(t)),
                                    .tag = "v1"});
            if (!out) {
                results[t] = out.error();
                return;
            }
            po.outputs = {*out};
            results[t] = engine.pull(counter.host() + "/api/shared" + std::to_string(t % 4) + ":v1", po);
        });
    for (auto& t : threads) t.join();
    std::set<std::string> blobs;
    for (int t = 0; t < 8; ++t) {
        ASSERT_TRUE(results[t]) << "thread " << t << ": " << results[t].error().describe();
        EXPECT_EQ(results[t]->manifest_digest.str(), images[t % 4].manifests.at(0).digest);
        EXPECT_EQ(layout_manifest(env.path("layout" + std::to_string(t)), "v1", "linux/amd64"),
                  images[t % 4].manifests.at(0).digest);
        EXPECT_TRUE(verify_blobs(env.path("layout" + std::to_string(t)) / "blobs").empty());
        for (const auto& layer : images[t % 4].manifests.at(0).layers) blobs.insert(layer.digest);
        blobs.insert(images[t % 4].manifests.at(0).config.digest);
    }
    for (const auto& digest : blobs)
        EXPECT_EQ(counter.count_requests("GET", "/blobs/" + digest + "$"), 1)
            << digest << " fetched more than once";
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
}

TEST(EngineApi, EntryPointsReturnErrorsInsteadOfThrowing) {
    CliEnv env;
    Engine engine({.store_root = env.store()});
    auto bad = engine.pull("NOT a reference");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::InvalidReference);
    auto refused = engine.pull("127.0.0.1:1/x/y:1");  // nothing listens on port 1
    ASSERT_FALSE(refused);
    EXPECT_FALSE(refused.error().message.empty());
    auto inspected = engine.inspect("");
    EXPECT_FALSE(inspected);
    auto out = make_output({.kind = OutputSpec::Kind::Rootfs, .path = env.root()});  // not empty
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().kind, ErrorKind::Io);
}

}  // namespace
}  // namespace boxtool::conformance
