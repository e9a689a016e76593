// The security review's findings, each replayed as the attack was: another local user planting a
// store, a tampered store, a token carrying CR/LF, a password grant redirected to another origin,
// terminal escapes in registry text, an oversized token, a registry that drips or keeps silent,
// and --creds on the command line. Each test fails without its fix.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/hostile_server.hpp"
#include "harness/images.hpp"
#include "harness/paths.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A throwaway unprivileged local user, the attacker; removed again at the end. Falls back to
// "nobody" where useradd is not possible.
class OtherUser {
  public:
    OtherUser() {
        name_ = "bxatk" + std::to_string(::getpid() % 100000);
        auto r =
            harness::run({"useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name_});
        created_ = r.exit_code == 0;
        if (!created_) name_ = "nobody";
        auto id = harness::run({"id", "-u", name_});
        uid_ = static_cast<uid_t>(std::stoul(id.out));
    }
    ~OtherUser() {
        if (created_) harness::run({"userdel", name_});
    }
    uid_t uid() const { return uid_; }
    // Runs a shell command as this user (a separate process with their uid and gid only).
    RunResult sh(const std::string& command) const {
        return harness::run({"setpriv", "--reuid=" + name_, "--regid=" + name_, "--clear-groups", "--",
                             "/bin/sh", "-c", command});
    }

  private:
    std::string name_;
    bool created_ = false;
    uid_t uid_ = 0;
};

std::string quoted(const fs::path& p) {
    return "'" + p.string() + "'";
}

// Waits until `server` has received bytes containing `what`.
bool wait_for_bytes(const harness::HostileServer& server, const std::string& what,
                    std::chrono::seconds limit = std::chrono::seconds(20)) {
    auto until = Clock::now() + limit;
    while (Clock::now() < until) {
        if (server.received().find(what) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

std::string hostile_ref(const harness::HostileServer& s) {
    return s.host() + "/hostile/app:v1";
}

// --- A store that defends itself ---------------------------------------------------------------

class StoreSecurityTest : public ::testing::Test {
  protected:
    void SetUp() override {
        registry.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, registry.host(),
                                       "sec/app:v1");
    }
    std::string ref() const { return registry.host() + "/sec/app:v1"; }
    fs::path store_blob(const fs::path& store, const std::string& digest) const {
        return store / "blobs" / "sha256" / digest.substr(7);
    }

    harness::RegistryServer registry;
    CliEnv env;
    harness::ImageInfo image;
};

TEST_F(StoreSecurityTest, AStorePlantedByAnotherUserIsRefusedAndNothingIsFollowed) {
    // The review's attack: another user creates the store first (in a shared, sticky folder like
    // /tmp) with a fake layer and a lock symlink pointing into a folder only root may write.
    OtherUser attacker;
    ::chmod(env.root().c_str(), 0755);  // the attacker may pass through to the shared folder
    const fs::path shared = env.path("shared-tmp");
    fs::create_directories(shared);
    ::chmod(shared.c_str(), 01777);
    const fs::path secret_dir = env.path("root-only");
    fs::create_directories(secret_dir);
    ::chmod(secret_dir.c_str(), 0700);
    const fs::path store = shared / "boxtool-store";
    const std::string layer = image.manifests[0].layers[0].digest;
    auto planted =
        attacker.sh("mkdir -p " + quoted(store / "blobs/sha256") + " " + quoted(store / "locks") + " " +
                    quoted(store / "ingest") + " && printf 'attacker bytes' > " +
                    quoted(store_blob(store, layer)) + " && ln -s " + quoted(secret_dir / "pwned") + " " +
                    quoted(store / "locks" / ("sha256-" + layer.substr(7) + ".lock")) +
                    " && chmod -R a+rwX " + quoted(store));
    ASSERT_EQ(planted.exit_code, 0) << planted.describe();

    const fs::path out = env.path("out");
    auto r = env.boxtool({"pull", ref(), "--store", store.string(), "--insecure-registry", registry.host(),
                          "--output", oci_output(out, "v1")});
    EXPECT_EQ(r.exit_code, kUsage) << r.describe();
    EXPECT_NE(r.err.find("refusing the store folder"), std::string::npos) << r.describe();
    EXPECT_FALSE(fs::exists(secret_dir / "pwned")) << "the lock symlink was followed";
    EXPECT_FALSE(fs::exists(out)) << "an output was written from a foreign store";

    // Not writable by others, but theirs: still refused.
    ASSERT_EQ(attacker.sh("chmod -R go-w " + quoted(store)).exit_code, 0);
    r = env.boxtool({"pull", ref(), "--store", store.string(), "--insecure-registry", registry.host()});
    EXPECT_EQ(r.exit_code, kUsage) << r.describe();
    EXPECT_NE(r.err.find("belongs to another user"), std::string::npos) << r.err;
}

TEST_F(StoreSecurityTest, ATamperedBlobIsDiscardedFetchedAgainAndTheUserIsTold) {
    auto first = env.pull(ref(), insecure({registry.host()}));
    ASSERT_EQ(first.exit_code, kOk) << first.describe();
    const auto& layer = image.manifests[0].layers[1];
    const fs::path blob = store_blob(env.store(), layer.digest);
    const int served_before = registry.count_requests("GET", "/blobs/" + layer.digest);
    // Same size, other bytes, timestamps put back.
    struct stat st {};
    ASSERT_EQ(::stat(blob.c_str(), &st), 0);
    ::chmod(blob.c_str(), 0644);
    {
        std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(layer.size / 2));
        f.put('\x5a');
    }
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    ::utimensat(AT_FDCWD, blob.c_str(), times, 0);

    const fs::path out = env.path("out");
    auto r = env.pull(ref(), {"--insecure-registry", registry.host(), "--output", oci_output(out, "v1"),
                              "--progress", "plain"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("warning: the stored copy of " + layer.digest), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("does not match its digest"), std::string::npos) << r.err;
    EXPECT_EQ(registry.count_requests("GET", "/blobs/" + layer.digest), served_before + 1);
    EXPECT_TRUE(verify_blobs(out / "blobs").empty());
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
    // And a rootfs pull of it later is fine.
    auto rootfs = env.pull(
        ref(), {"--insecure-registry", registry.host(), "--output", "rootfs:" + env.path("rootfs").string()});
    EXPECT_EQ(rootfs.exit_code, kOk) << rootfs.describe();
}

TEST_F(StoreSecurityTest, AnOutputNeverHardLinksAnotherUsersFile) {
    // The layout being updated holds a blob file of another user's: it is copied, never linked,
    // so their later writes to it cannot change what was published.
    OtherUser attacker;
    const fs::path out = env.path("layout");
    auto first = env.pull(ref(), {"--insecure-registry", registry.host(), "--output", oci_output(out, "v1")});
    ASSERT_EQ(first.exit_code, kOk) << first.describe();
    const auto& config = image.manifests[0].config;
    const fs::path blob = out / "blobs" / "sha256" / config.digest.substr(7);
    const fs::path theirs = env.path("theirs");
    fs::copy_file(blob, theirs);
    ASSERT_EQ(::chown(theirs.c_str(), attacker.uid(), attacker.uid()), 0);
    fs::remove(blob);
    ASSERT_EQ(::link(theirs.c_str(), blob.c_str()), 0);
    struct stat st {};
    ASSERT_EQ(::stat(theirs.c_str(), &st), 0);

    auto again = env.pull(ref(), {"--insecure-registry", registry.host(), "--output", oci_output(out, "v2")});
    ASSERT_EQ(again.exit_code, kOk) << again.describe();
    for (const auto& f : harness::list_files(out / "blobs")) {
        struct stat b {};
        ASSERT_EQ(::stat(f.c_str(), &b), 0);
        EXPECT_NE(b.st_ino, st.st_ino) << f << " is the other user's file";
        EXPECT_NE(b.st_uid, attacker.uid()) << f;
    }
}

// --- Values that go into request headers ---------------------------------------------------------

TEST(HostileServerTest, ATokenWithCrLfNeverReachesTheWire) {
    harness::HostileServer server({.mode = "crlf-token"});
    server.start();
    CliEnv env;
    auto r = env.pull(hostile_ref(server), insecure({server.host()}));
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("not a valid bearer token"), std::string::npos) << r.err;
    const std::string wire = server.received();
    EXPECT_EQ(wire.find("X-Injected"), std::string::npos) << wire;
    EXPECT_EQ(wire.find("/smuggled"), std::string::npos) << wire;
    EXPECT_EQ(wire.find("Bearer abc"), std::string::npos) << wire;
    EXPECT_EQ(wire.find("/manifests/"), std::string::npos) << "a request went out with the bad token";
}

TEST(HostileServerTest, AnOversizedTokenResponseIsReportedAsATokenProblem) {
    harness::HostileServer server({.mode = "huge-token"});
    server.start();
    CliEnv env;
    auto r = env.pull(hostile_ref(server), insecure({server.host()}));
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("token server"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("manifest"), std::string::npos) << r.err;
}

TEST(HostileServerTest, APasswordGrantIsNeverResentToAnotherOrigin) {
    harness::HostileServer server({.mode = "redirect-token"});
    server.start();
    ASSERT_GT(server.other_port(), 0);
    CliEnv env;
    auto r = env.pull(hostile_ref(server),
                      {"--insecure-registry", server.host(), "--creds", "grant-user:s3cret-grant-pw"});
    EXPECT_NE(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.err.find("refusing to follow a 307 redirect"), std::string::npos) << r.err;
    // Split what arrived by the port it arrived on.
    const std::string wire = server.received();
    const std::string other_marker = " port " + std::to_string(server.other_port()) + " ===";
    std::string to_other, to_realm;
    std::size_t at = 0;
    while ((at = wire.find("=== conn ", at)) != std::string::npos) {
        auto end = wire.find("=== conn ", at + 1);
        std::string section = wire.substr(at, end == std::string::npos ? std::string::npos : end - at);
        (section.find(other_marker) != std::string::npos ? to_other : to_realm) += section;
        at += 1;
    }
    EXPECT_NE(to_realm.find("password=s3cret-grant-pw"), std::string::npos) << "the realm got no grant";
    EXPECT_EQ(to_other.find("s3cret-grant-pw"), std::string::npos) << to_other;
    EXPECT_EQ(r.err.find("s3cret-grant-pw"), std::string::npos) << r.err;
}

// --- Text from outside on the terminal -----------------------------------------------------------

class EscapeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EscapeTest, TerminalEscapesFromTheRegistryAreShownEscaped) {
    harness::HostileServer server({.mode = "escape-error", .variant = GetParam()});
    server.start();
    CliEnv env;
    // --debug adds the registry's headers (WWW-Authenticate) and messages, as lines on stderr or
    // JSON lines on stdout: escaped like the rest.
    for (const std::string progress : {"plain", "json"}) {
        for (bool debug : {false, true}) {
            std::vector<std::string> args{"--insecure-registry", server.host(), "--progress", progress};
            if (debug) args.push_back("--debug");
            auto r = env.pull(hostile_ref(server), args);
            const std::string what = progress + (debug ? " --debug" : "");
            EXPECT_NE(r.exit_code, kOk) << r.describe();
            EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << what << ": raw ESC on stderr: " << r.err;
            EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << what << ": raw ESC on stdout: " << r.out;
            EXPECT_EQ(r.err.find('\r'), std::string::npos) << what << ": " << r.err;
            EXPECT_EQ(r.err.find('\x07'), std::string::npos) << what << ": " << r.err;
            if (debug && progress == "plain") {
                EXPECT_NE(r.err.find("debug: "), std::string::npos) << "no debug lines: " << r.err;
            }
        }
    }
    auto r = env.pull(hostile_ref(server), {"--insecure-registry", server.host()});
    // The text is still there for people to read, made visible.
    EXPECT_NE(r.err.find("\\x1b]0;pwned"), std::string::npos) << r.err;
    auto inspect = env.boxtool({"inspect", hostile_ref(server), "--insecure-registry", server.host()});
    EXPECT_EQ(inspect.err.find('\x1b'), std::string::npos) << inspect.err;
}

INSTANTIATE_TEST_SUITE_P(Sources, EscapeTest,
                         ::testing::Values("registry-error", "www-authenticate", "token-error"));

// --- Deadlines and signals ----------------------------------------------------------------------

TEST(HostileServerTest, ADripIsCutOffByTheStallDetector) {
    for (const std::string mode : {"drip", "drip-headers"}) {
        harness::HostileServer server({.mode = mode});
        server.start();
        CliEnv env;
        auto r = env.pull(hostile_ref(server),
                          {"--insecure-registry", server.host(), "--speed-limit", "100", "--speed-time", "2",
                           "--retries", "1"},
                          RunOptions{.timeout = std::chrono::seconds(90)});
        EXPECT_FALSE(r.timed_out) << mode;
        EXPECT_EQ(r.exit_code, kNetwork) << mode << ": " << r.describe();
        EXPECT_NE(r.err.find("stalled"), std::string::npos) << mode << ": " << r.err;
    }
}

TEST(HostileServerTest, ASignalStopsThePullPromptlyWhateverTheNetworkDoes) {
    // The stall detector is left at its default (30 s): the signal must end the pull on its own.
    struct Case {
        std::string mode;
        bool tls;          // speak HTTPS: against "silent", the TLS handshake never completes
        std::string sent;  // what the server must have received before the signal
    };
    for (const Case& c : {Case{"drip", false, "/manifests/"}, Case{"drip-headers", false, "/manifests/"},
                          Case{"silent", true, "\x16\x03"}}) {
        harness::HostileServer server({.mode = c.mode});
        server.start();
        CliEnv env;
        // Long connect and read timeouts: only the signal may end the pull here.
        std::vector<std::string> args = {
            "pull", hostile_ref(server), "--store", env.store().string(), "--connect-timeout",
            "30",   "--timeout",         "600"};
        if (!c.tls) args.insert(args.end(), {"--insecure-registry", server.host()});
        auto pull = env.spawn(args, env.path("bg.out"));
        auto output = [&] { return harness::read_file(env.path("bg.out")); };
        ASSERT_TRUE(wait_for_bytes(server, c.sent)) << c.mode << ": " << output();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        auto signalled = Clock::now();
        ::kill(pull.pid(), SIGTERM);
        // Asked: within a second. The bound is generous for a loaded machine, and far below what
        // the registry (hours), the connect timeout (30 s) or the read timeout (600 s) would allow.
        auto code = pull.wait(std::chrono::seconds(3));
        ASSERT_TRUE(code.has_value()) << c.mode << ": SIGTERM did not stop the pull";
        EXPECT_EQ(*code, 130) << c.mode << ": " << output();
        std::cerr << c.mode << ": stopped "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - signalled).count()
                  << " ms after SIGTERM\n";
    }
}

// --- Secrets on the command line ------------------------------------------------------------------

TEST(HostileServerTest, CredsOnTheCommandLineAreHiddenFromOtherUsers) {
    harness::HostileServer server({.mode = "silent"});
    server.start();
    CliEnv env;
    auto pull = env.spawn({"pull", hostile_ref(server), "--store", env.store().string(), "--creds",
                           "cmdline-user:cmdline-s3cret", "--insecure-registry", server.host()},
                          env.path("bg.out"));
    ASSERT_TRUE(wait_for_bytes(server, "\x16\x03"))
        << harness::read_file(env.path("bg.out"));  // its TLS handshake: it runs
    std::string cmdline = harness::read_file("/proc/" + std::to_string(pull.pid()) + "/cmdline");
    EXPECT_EQ(cmdline.find("cmdline-s3cret"), std::string::npos) << "password visible in /proc/PID/cmdline";
    EXPECT_NE(cmdline.find("cmdline-user:"), std::string::npos);
    ::kill(pull.pid(), SIGTERM);
    pull.wait(std::chrono::seconds(10));
    auto help = env.boxtool({"pull", "--help"});
    EXPECT_NE(help.out.find("--password-stdin is safer"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace boxtool::conformance
