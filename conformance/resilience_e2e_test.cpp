// Faults, crashes and many processes, against a real registry:2 through the fault proxy: each
// fault the proxy can inject is survived (or ends in a clear error), a pull killed with SIGKILL
// leaves a store that verifies and a partial the next pull resumes, eight processes share one
// store and fetch each blob once, and a soak of pulls with random faults gives correct content.
//
// The long forms (1000 soak pulls, 50 kills) are conformance/soak.sh; here they are short:
// BOXTOOL_SOAK_PULLS and BOXTOOL_KILL_PULLS set their sizes.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "e2e_support.hpp"
#include "harness/fault_proxy.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"
#include "harness/paths.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

std::uint64_t image_bytes(const harness::ImageInfo& image) {
    std::uint64_t total = image.size;
    for (const auto& m : image.manifests) {
        if (image.is_index()) total += m.size;
        total += m.config.size;
        for (const auto& l : m.layers) total += l.size;
    }
    return total;
}

class ResilienceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"),
                                        .tag = "v1",
                                        .layers = 3,
                                        .layer_size = 256 * 1024,
                                        .compression = "none",
                                        .random = true},
                                       registry.host(), "res/app:v1");
    }

    harness::FaultProxy& proxy_with(harness::FaultProxyOptions options) {
        options.upstream = registry.url();
        proxy = std::make_unique<harness::FaultProxy>(std::move(options));
        proxy->start();
        return *proxy;
    }
    std::string ref() const { return proxy->host() + "/res/app:v1"; }
    RunResult pull_through(const fs::path& out, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--insecure-registry", proxy->host(), "--output",
                                         oci_output(out, "v1")};
        args.insert(args.end(), extra.begin(), extra.end());
        return env.pull(ref(), args);
    }
    void expect_image(const fs::path& out) {
        EXPECT_EQ(layout_manifest(out, "v1", "linux/amd64"), image.digest);
        EXPECT_TRUE(verify_blobs(out / "blobs").empty());
        EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
    }
    int faults(const std::string& kind) const {
        int n = 0;
        for (const auto& r : proxy->requests()) n += r.fault == kind ? 1 : 0;
        return n;
    }

    harness::RegistryServer registry;
    CliEnv env;
    harness::ImageInfo image;
    std::unique_ptr<harness::FaultProxy> proxy;
};

TEST_F(ResilienceTest, RetryAfterInSecondsAndAsAnHttpDateIsHonoured) {
    proxy_with({.inject = {"/manifests/:429:1", "/manifests/:429-date:1", "GET /blobs/:429:1"}});
    auto out = env.path("out");
    auto r = pull_through(out);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(faults("429"), 2);
    EXPECT_EQ(faults("429-date"), 1);
    expect_image(out);
}

TEST_F(ResilienceTest, ServerErrorsAndClosedManifestConnectionsAreRetried) {
    proxy_with({.inject = {"/manifests/:close-manifest:1", "/manifests/:502:1", "GET /blobs/:500:1",
                           "GET /blobs/:503:1"}});
    auto out = env.path("out");
    auto r = pull_through(out);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(faults("close-manifest"), 1);
    EXPECT_EQ(faults("fail"), 3);
    expect_image(out);
}

TEST_F(ResilienceTest, TruncatedResetAndStalledBodiesAreResumedWithARange) {
    proxy_with({.inject = {"GET /blobs/:truncate:1", "GET /blobs/:reset:1", "GET /blobs/:stall:1",
                           "GET /blobs/:drip:1"}});
    auto out = env.path("out");
    auto r = pull_through(out, {"--speed-limit", "2000", "--speed-time", "1", "--progress", "plain"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    int resumed = 0;
    for (const auto& req : proxy->requests()) resumed += req.range_start > 0 ? 1 : 0;
    EXPECT_GE(resumed, 1) << "no download resumed with a Range";
    EXPECT_NE(r.err.find("stalled"), std::string::npos) << r.err;  // the stall and the drip
    expect_image(out);
    // Resuming wasted little: within one layer's size of the image itself.
    EXPECT_LT(proxy->bytes_sent(), image_bytes(image) + image.manifests[0].layers[0].size);
}

TEST_F(ResilienceTest, ARegistryIgnoringRangeIsHandledWithoutLooping) {
    const auto& layer = image.manifests[0].layers[1];
    proxy_with({.reset = {"GET /blobs/" + layer.digest + "$:1"}, .strip_range = true});
    auto out = env.path("out");
    auto r = pull_through(out);
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(proxy->count_requests("GET", "/blobs/" + layer.digest + "$"), 2);
    expect_image(out);
}

TEST_F(ResilienceTest, ARedirectLoopEndsInAClearError) {
    proxy_with({.inject = {"/manifests/:redirect-loop:1"}});
    auto r = pull_through(env.path("out"));
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("too many redirects"), std::string::npos) << r.err;
    EXPECT_LE(proxy->count_requests("", "loop="), 6);
}

TEST_F(ResilienceTest, AFailingRegistryFailsOverToTheNextCandidate) {
    proxy_with({.fail = {"/manifests/:503:*"}});
    auto out = env.path("out");
    auto r = env.pull("res/app:v1", {"--registry", proxy->host(), "--registry", registry.host(),
                                     "--insecure-registry", proxy->host(), "--insecure-registry",
                                     registry.host(), "--output", oci_output(out, "v1"), "--retries", "1"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("Pulled " + registry.host() + "/"), std::string::npos) << r.out;
    expect_image(out);
}

// --- Crashes: SIGKILL at random points, then verify and resume -------------------------------------

TEST(CrashTest, KilledPullsLeaveAVerifiableStoreAndTheNextPullResumes) {
    const int rounds = env_int("BOXTOOL_KILL_PULLS", 4);
    const unsigned seed = static_cast<unsigned>(env_int("BOXTOOL_KILL_SEED", 7));
    harness::RegistryServer registry;
    registry.start();
    CliEnv env;
    auto image = harness::make_and_push({.out = env.path("src"),
                                         .tag = "v1",
                                         .layers = 2,
                                         .layer_size = 4 * 1024 * 1024,
                                         .compression = "none",
                                         .random = true},
                                        registry.host(), "crash/app:v1");
    // Slow enough that a kill lands mid-download.
    harness::FaultProxy proxy({.upstream = registry.url(), .throttle = 4 * 1024 * 1024});
    proxy.start();
    const std::string ref = proxy.host() + "/crash/app:v1";
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> when_ms(50, 2500);
    int resumed = 0, partials_seen = 0;
    for (int round = 0; round < rounds; ++round) {
        const fs::path store = env.path("store-" + std::to_string(round));
        const auto before = proxy.requests().size();
        auto pull = env.spawn({"pull", ref, "--store", store.string(), "--insecure-registry", proxy.host()},
                              env.path("killed-" + std::to_string(round) + ".out"));
        std::this_thread::sleep_for(std::chrono::milliseconds(when_ms(rng)));
        ::kill(pull.pid(), SIGKILL);
        pull.wait();

        auto verify = env.boxtool({"store", "verify", "--store", store.string()});
        EXPECT_EQ(verify.exit_code, kOk) << "round " << round << ": " << verify.describe();
        const bool had_partial = !ingest_leftovers(store).empty();
        partials_seen += had_partial ? 1 : 0;
        auto again = env.boxtool({"pull", ref, "--store", store.string(), "--insecure-registry", proxy.host(),
                                  "--output", oci_output(env.path("out-" + std::to_string(round)), "v1")});
        ASSERT_EQ(again.exit_code, kOk) << "round " << round << ": " << again.describe();
        EXPECT_EQ(layout_manifest(env.path("out-" + std::to_string(round)), "v1", "linux/amd64"),
                  image.digest);
        EXPECT_TRUE(ingest_leftovers(store).empty());
        auto all = proxy.requests();
        bool ranged = false;
        for (std::size_t i = before; i < all.size(); ++i) ranged = ranged || all[i].range_start > 0;
        if (had_partial && ranged) ++resumed;
        auto clean = env.boxtool({"store", "verify", "--store", store.string()});
        EXPECT_EQ(clean.exit_code, kOk) << clean.describe();
    }
    std::cerr << rounds << " kills: " << partials_seen << " left a partial download, " << resumed
              << " resumed it with a Range request\n";
    if (partials_seen > 0) {
        EXPECT_GT(resumed, 0);
    }
}

TEST(CrashTest, APartialLeftByAKilledPullIsResumedNotRestarted) {
    harness::RegistryServer registry;
    registry.start();
    CliEnv env;
    auto image = harness::make_and_push({.out = env.path("src"),
                                         .tag = "v1",
                                         .layers = 1,
                                         .layer_size = 6 * 1024 * 1024,
                                         .compression = "none",
                                         .random = true},
                                        registry.host(), "crash/one:v1");
    const auto& layer = image.manifests[0].layers[0];
    harness::FaultProxy proxy({.upstream = registry.url(), .throttle = 3 * 1024 * 1024});
    proxy.start();
    const std::string ref = proxy.host() + "/crash/one:v1";
    auto pull = env.spawn({"pull", ref, "--store", env.store().string(), "--insecure-registry", proxy.host()},
                          env.path("killed.out"));
    // Kill once a good part of the layer is in the store's ingest area.
    const fs::path partial = env.store() / "ingest" / ("sha256-" + layer.digest.substr(7) + ".partial");
    auto until = Clock::now() + std::chrono::seconds(30);
    std::error_code ec;
    while (Clock::now() < until && (!fs::exists(partial, ec) || fs::file_size(partial, ec) < 1024 * 1024))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(pull.pid(), SIGKILL);
    pull.wait();
    ASSERT_TRUE(fs::exists(partial)) << harness::read_file(env.path("killed.out"));
    const auto kept = fs::file_size(partial);
    ASSERT_GT(kept, 0u);

    auto r =
        env.pull(ref, {"--insecure-registry", proxy.host(), "--output", oci_output(env.path("out"), "v1")});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto gets = proxy.requests();
    std::erase_if(gets, [&](const harness::LoggedRequest& q) {
        return q.method != "GET" || q.path.find(layer.digest) == std::string::npos;
    });
    ASSERT_EQ(gets.size(), 2u);
    EXPECT_EQ(gets.back().range_start, static_cast<long long>(kept)) << "the next pull did not resume";
    EXPECT_EQ(layout_manifest(env.path("out"), "v1", "linux/amd64"), image.digest);
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
}

// --- Many processes, one store -------------------------------------------------------------------

TEST(ConcurrencyTest, EightProcessesShareOneStoreAndEachBlobIsDownloadedOnce) {
    harness::RegistryServer registry;
    registry.start();
    CliEnv env;
    // Two images, each pushed to four repositories: every process's image overlaps three others'.
    auto a = harness::make_and_push({.out = env.path("a"),
                                     .tag = "v1",
                                     .layers = 3,
                                     .layer_size = 512 * 1024,
                                     .seed = "a",
                                     .random = true},
                                    registry.host(), "many/a0:v1");
    auto b = harness::make_and_push({.out = env.path("b"),
                                     .tag = "v1",
                                     .layers = 2,
                                     .layer_size = 512 * 1024,
                                     .seed = "b",
                                     .random = true},
                                    registry.host(), "many/b0:v1");
    std::vector<std::string> refs;
    for (int i = 0; i < 4; ++i) {
        if (i > 0) {
            harness::push_image(env.path("a"), "v1", registry.host(), "many/a" + std::to_string(i) + ":v1");
            harness::push_image(env.path("b"), "v1", registry.host(), "many/b" + std::to_string(i) + ":v1");
        }
        refs.push_back(registry.host() + "/many/a" + std::to_string(i) + ":v1");
        refs.push_back(registry.host() + "/many/b" + std::to_string(i) + ":v1");
    }
    const auto served_before = registry.requests().size();
    std::vector<harness::ChildProcess> pulls;
    for (std::size_t i = 0; i < refs.size(); ++i)
        pulls.push_back(
            env.spawn({"pull", refs[i], "--store", env.store().string(), "--insecure-registry",
                       registry.host(), "--output", oci_output(env.path("out" + std::to_string(i)), "v1")},
                      env.path("pull" + std::to_string(i) + ".out")));
    for (std::size_t i = 0; i < pulls.size(); ++i)
        EXPECT_EQ(pulls[i].wait(), kOk) << harness::read_file(env.path("pull" + std::to_string(i) + ".out"));
    std::map<std::string, int> downloads;
    auto all = registry.requests();
    for (std::size_t i = served_before; i < all.size(); ++i) {
        const auto& q = all[i];
        auto at = q.path.find("/blobs/sha256:");
        if (q.method == "GET" && at != std::string::npos && q.status == 200)
            ++downloads[q.path.substr(at + 7)];
    }
    for (const auto* img : {&a, &b}) {
        const auto& m = img->manifests[0];
        EXPECT_EQ(downloads[m.config.digest], 1) << m.config.digest;
        for (const auto& l : m.layers) EXPECT_EQ(downloads[l.digest], 1) << l.digest;
    }
    auto verify = env.boxtool({"store", "verify", "--store", env.store().string()});
    EXPECT_EQ(verify.exit_code, kOk) << verify.describe();
    EXPECT_TRUE(fs::is_empty(env.store() / "locks")) << "lock files piled up";
}

// --- Soak: many pulls through random faults ------------------------------------------------------

TEST(SoakTest, PullsThroughRandomFaultsEndInCorrectContentOrAClearError) {
    const int pulls = env_int("BOXTOOL_SOAK_PULLS", 12);
    const std::string seed = std::getenv("BOXTOOL_SOAK_SEED") ? std::getenv("BOXTOOL_SOAK_SEED") : "1";
    const std::string rate = std::getenv("BOXTOOL_SOAK_RATE") ? std::getenv("BOXTOOL_SOAK_RATE") : "0.15";
    harness::RegistryServer registry;
    registry.start();
    CliEnv env;
    auto image = harness::make_and_push({.out = env.path("src"),
                                         .tag = "v1",
                                         .layers = 3,
                                         .layer_size = 128 * 1024,
                                         .compression = "none",
                                         .random = true},
                                        registry.host(), "soak/app:v1");
    harness::FaultProxy proxy({.upstream = registry.url(), .random = seed + ":" + rate});
    proxy.start();
    int ok = 0, clear_errors = 0, corrupt = 0, unclear = 0;
    std::map<std::string, int> reasons;
    for (int i = 0; i < pulls; ++i) {
        const fs::path store = env.path("store");
        const fs::path out = env.path("out");
        auto r = env.boxtool({"pull", proxy.host() + "/soak/app:v1", "--store", store.string(),
                              "--insecure-registry", proxy.host(), "--output", oci_output(out, "v1"),
                              "--speed-limit", "4096", "--speed-time", "1", "--retries", "4", "-q"},
                             RunOptions{.timeout = std::chrono::seconds(120)});
        auto bad = verify_blobs(store / "blobs");
        corrupt += static_cast<int>(bad.size());
        if (r.exit_code == kOk) {
            bool right = layout_manifest(out, "v1", "linux/amd64") == image.digest &&
                         verify_blobs(out / "blobs").empty();
            ok += right ? 1 : 0;
            corrupt += right ? 0 : 1;
        } else if (!r.timed_out && r.err.find("boxtool: error: ") != std::string::npos &&
                   r.err.find("hint: ") != std::string::npos) {
            ++clear_errors;
            ++reasons[r.err.substr(r.err.find("boxtool: error: ") + 16, 40)];
        } else {
            ++unclear;
            ADD_FAILURE() << r.describe();
        }
        fs::remove_all(store);
        fs::remove_all(out);
    }
    const double ratio = static_cast<double>(proxy.bytes_sent()) /
                         (static_cast<double>(pulls) * static_cast<double>(image_bytes(image)));
    // Charging every byte (failed pulls' too) to the pulls that succeeded: the stricter figure.
    const double per_success = ok ? static_cast<double>(proxy.bytes_sent()) /
                                        (static_cast<double>(ok) * static_cast<double>(image_bytes(image)))
                                  : 0;
    int injected = 0;
    std::map<std::string, int> kinds;
    for (const auto& q : proxy.requests())
        if (!q.fault.empty()) ++injected, ++kinds[q.fault];
    std::cerr << "soak: " << pulls << " pulls (seed " << seed << ", fault rate " << rate << "): " << ok
              << " correct, " << clear_errors << " clear errors, " << unclear << " unclear, " << corrupt
              << " corrupt blobs; " << injected << " faults injected over " << proxy.requests().size()
              << " requests; bytes sent " << proxy.bytes_sent() << " = " << ratio
              << "x the image size per pull\n";
    for (const auto& [k, n] : kinds) std::cerr << "  fault " << k << ": " << n << "\n";
    for (const auto& [k, n] : reasons) std::cerr << "  error " << k << "...: " << n << "\n";
    EXPECT_EQ(corrupt, 0);
    EXPECT_EQ(unclear, 0);
    EXPECT_EQ(ok + clear_errors, pulls);
    EXPECT_LT(ratio, 1.1);
    EXPECT_LT(per_success, 1.1);
    EXPECT_GT(ok, pulls / 2);
}

}  // namespace
}  // namespace boxtool::conformance
