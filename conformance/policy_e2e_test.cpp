// Lua registry-selection policies through the real CLI: a registry:2 pull-through cache chosen as
// the mirror, fallback to the upstream when the mirror is down, denials and sandbox abuse that
// leave the store untouched, credentials kept from untrusted mirrors, explain and policy test.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "e2e_support.hpp"
#include "harness/files.hpp"
#include "harness/images.hpp"
#include "harness/paths.hpp"

namespace boxtool::conformance {
namespace {

namespace fs = std::filesystem;

// Files under `dir`, recursively (0 when it does not exist).
int files_under(const fs::path& dir) {
    if (!fs::exists(dir)) return 0;
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) ++n;
    return n;
}

// The mirror-first script for a mirror of `upstream`, with an optional deny list.
std::string mirror_script(const std::string& mirror, const std::string& upstream,
                          const std::string& extra = "") {
    return "function select(ref, ctx)\n"
           "  if string.find(ref.repository, 'secret', 1, true) then deny('secret images are never pulled') "
           "end\n"
           "  return {\n"
           "    { registry = '" +
           mirror + "', mirror_of = '" + upstream + "'" + extra +
           ", reason = 'pull-through mirror' },\n"
           "    { registry = '" +
           upstream +
           "', reason = 'upstream fallback' },\n"
           "  }\n"
           "end\n";
}

// A port on 127.0.0.1 whose listen queue is full: new connections hang in the TCP handshake, as
// with a mirror host that is down and drops packets (unlike a refused connection, which is instant).
class Blackhole {
  public:
    Blackhole() {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener_, 0) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            throw std::runtime_error("cannot set up the blackhole listener");
        port_ = ntohs(addr.sin_port);
        for (int i = 0; i < 4; ++i) {  // fill the queue; they are never accepted
            int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            ::fcntl(fd, F_SETFL, O_NONBLOCK);
            [[maybe_unused]] int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), len);
            fillers_.push_back(fd);
        }
    }
    ~Blackhole() {
        for (int fd : fillers_) ::close(fd);
        ::close(listener_);
    }
    Blackhole(const Blackhole&) = delete;
    Blackhole& operator=(const Blackhole&) = delete;
    std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  private:
    int listener_ = -1;
    int port_ = 0;
    std::vector<int> fillers_;
};

class PolicyMirrorTest : public ::testing::Test {
  protected:
    void SetUp() override {
        upstream.start();
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 2}, upstream.host(),
                                       "e2e/app:v1");
        mirror = std::make_unique<harness::RegistryServer>(
            harness::RegistryOptions{.proxy_remote_url = upstream.url()});
        mirror->start();
        policy = env.path("mirror.lua");
        harness::write_file(policy, mirror_script(mirror->host(), upstream.host()));
        upstream_requests_after_push = upstream.count_requests("", "/v2/e2e/");
        mirror_requests_after_start = mirror->count_requests("", "/v2/");  // the harness's readiness probe
    }

    std::vector<std::string> flags(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"--policy", policy.string()};
        for (const auto& f : insecure({mirror->host(), upstream.host()})) args.push_back(f);
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }

    CliEnv env;
    harness::RegistryServer upstream;
    std::unique_ptr<harness::RegistryServer> mirror;
    harness::ImageInfo image;
    fs::path policy;
    int upstream_requests_after_push = 0;
    int mirror_requests_after_start = 0;
};

TEST_F(PolicyMirrorTest, PullGoesThroughThePullThroughMirror) {
    auto out = env.path("layout");
    auto r = env.pull(upstream.host() + "/e2e/app:v1", flags({"--output", "oci:" + out.string()}));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    // boxtool fetched manifest and blobs from the mirror, which fetched them from the upstream.
    EXPECT_GE(mirror->count_requests("GET", "^/v2/e2e/app/manifests/v1$"), 1);
    EXPECT_GE(mirror->count_requests("GET", "^/v2/e2e/app/blobs/sha256:"), 2);
    // registry:2's cache stores what it served after answering: poll for it rather than race it.
    int cached = 0;
    for (int i = 0; i < 100 && cached < 2; ++i) {
        cached = files_under(mirror->data_dir() / "docker" / "registry" / "v2" / "blobs");
        if (cached < 2) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_GE(cached, 2) << "the pull-through cache stored nothing";
    // The image keeps the name it was asked for: the layout's tag is the original one.
    EXPECT_TRUE(layout_manifest(out, "v1", "linux/amd64").has_value());
    EXPECT_TRUE(verify_blobs(env.store() / "blobs").empty());
}

TEST_F(PolicyMirrorTest, FallsBackToTheUpstreamWhenTheMirrorIsStopped) {
    mirror->stop();
    auto r = env.pull(upstream.host() + "/e2e/app:v1", flags({"--progress", "plain"}));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    EXPECT_NE(r.out.find("Pulled " + upstream.host() + "/e2e/app:v1"), std::string::npos) << r.out;
    EXPECT_GT(upstream.count_requests("GET", "^/v2/e2e/app/blobs/"), 0);
    EXPECT_NE(r.err.find(mirror->host()), std::string::npos) << "the failed mirror is not reported\n"
                                                             << r.err;
}

TEST_F(PolicyMirrorTest, AMirrorThatNeverAnswersTimesOutOnceAndTheUpstreamServes) {
    Blackhole dead;
    harness::write_file(policy, mirror_script(dead.host(), upstream.host()));
    auto r = env.pull(
        upstream.host() + "/e2e/app:v1",
        flags({"--insecure-registry", dead.host(), "--connect-timeout", "1", "--progress", "plain"}));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_EQ(field(r.out, "Digest"), image.digest);
    EXPECT_NE(r.err.find("could not connect to " + dead.host() + " within the connect timeout"),
              std::string::npos)
        << r.err;
}

TEST_F(PolicyMirrorTest, FinalErrorListsEachCandidateAndWhy) {
    mirror->stop();
    auto r = env.pull(upstream.host() + "/e2e/absent:v1", flags());
    EXPECT_EQ(r.exit_code, kFailure) << r.describe();
    auto error = r.err.substr(r.err.find("boxtool: error:"));
    EXPECT_NE(error.find(mirror->host() + "/e2e/absent:v1 (pull-through mirror)"), std::string::npos)
        << error;
    EXPECT_NE(error.find(upstream.host() + "/e2e/absent:v1 (upstream fallback)"), std::string::npos) << error;
    EXPECT_TRUE(contains_icase(error, "connection refused")) << error;
}

TEST_F(PolicyMirrorTest, ADeniedReferencePullsNothing) {
    auto out = env.path("layout");
    auto r = env.pull(upstream.host() + "/e2e/secret:v1", flags({"--output", "oci:" + out.string()}));
    EXPECT_EQ(r.exit_code, kPolicy) << r.describe();
    EXPECT_NE(r.err.find("secret images are never pulled"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("mirror.lua"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(env.store())) << "the store was created";
    EXPECT_FALSE(fs::exists(out));
    EXPECT_EQ(mirror->count_requests("", "/v2/"), mirror_requests_after_start);
    EXPECT_EQ(upstream.count_requests("", "/v2/e2e/"), upstream_requests_after_push);
}

TEST_F(PolicyMirrorTest, ExplainListsCandidatesWithoutContactingRegistries) {
    int mirror_before = mirror->count_requests("", "/v2/");
    auto r = env.boxtool({"policy", "explain", upstream.host() + "/e2e/app:v1", "--policy", policy.string()});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto first = r.out.find("1. " + mirror->host() + "/e2e/app:v1 [mirror of " + upstream.host());
    auto second = r.out.find("2. " + upstream.host() + "/e2e/app:v1");
    ASSERT_NE(first, std::string::npos) << r.out;
    ASSERT_NE(second, std::string::npos) << r.out;
    EXPECT_LT(first, second);
    EXPECT_NE(r.out.find("reason: pull-through mirror"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("reason: upstream fallback"), std::string::npos) << r.out;
    EXPECT_EQ(mirror->count_requests("", "/v2/"), mirror_before);
    EXPECT_EQ(upstream.count_requests("", "/v2/e2e/"), upstream_requests_after_push);

    auto denied =
        env.boxtool({"policy", "explain", upstream.host() + "/e2e/secret:v1", "--policy", policy.string()});
    EXPECT_EQ(denied.exit_code, kPolicy) << denied.describe();
}

TEST_F(PolicyMirrorTest, PullExplainPrintsTheCandidatesThenPulls) {
    auto r = env.pull(upstream.host() + "/e2e/app:v1", flags({"--explain"}));
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    auto explained = r.out.find("1. " + mirror->host() + "/e2e/app:v1");
    auto pulled = r.out.find("Pulled ");
    ASSERT_NE(explained, std::string::npos) << r.out;
    ASSERT_NE(pulled, std::string::npos) << r.out;
    EXPECT_LT(explained, pulled);
}

TEST_F(PolicyMirrorTest, ThePolicyKeyOfTheConfigFileWorksLikeTheFlag) {
    harness::write_file(env.path("config.json"), "{\"policy\": \"mirror.lua\", \"insecure_registries\": [\"" +
                                                     mirror->host() + "\", \"" + upstream.host() + "\"]}");
    auto r = env.pull(upstream.host() + "/e2e/secret:v1", {"--config", env.path("config.json").string()});
    EXPECT_EQ(r.exit_code, kPolicy) << r.describe();
    auto ok = env.pull(upstream.host() + "/e2e/app:v1", {"--config", env.path("config.json").string()});
    ASSERT_EQ(ok.exit_code, kOk) << ok.describe();
    EXPECT_GE(mirror->count_requests("GET", "^/v2/e2e/app/manifests/v1$"), 1);
}

// Scripts that try to escape the sandbox or exhaust the host: the pull stops at the policy.
struct Abuse {
    const char* name;
    const char* body;     // inside select(ref, ctx)
    const char* outcome;  // in the error message
};

class PolicyAbuseTest : public ::testing::TestWithParam<Abuse> {};

TEST_P(PolicyAbuseTest, IsContainedAndPullsNothing) {
    CliEnv env;
    harness::RegistryServer registry;
    registry.start();
    auto marker = env.path("escaped");
    std::string body = GetParam().body;
    if (auto at = body.find("MARKER"); at != std::string::npos) body.replace(at, 6, marker.string());
    auto script = env.path("abuse.lua");
    harness::write_file(
        script, "function select(ref, ctx)\n" + body + "\n  return {'" + registry.host() + "'}\nend\n");
    auto out = env.path("layout");
    auto r = env.pull(registry.host() + "/e2e/app:v1", {"--policy", script.string(), "--insecure-registry",
                                                        registry.host(), "--output", "oci:" + out.string()});
    EXPECT_EQ(r.exit_code, kPolicy) << r.describe();
    EXPECT_NE(r.err.find(GetParam().outcome), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("abuse.lua"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(env.store())) << "the store was created";
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(marker)) << "the script escaped the sandbox";
    EXPECT_EQ(registry.count_requests("", "/v2/e2e/"), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Sandbox, PolicyAbuseTest,
    ::testing::Values(
        Abuse{"WriteAFile", "  io.open('MARKER', 'w'):write('x')", "runtime-error"},
        Abuse{"RunACommand", "  os.execute('touch MARKER')", "runtime-error"},
        Abuse{"LoadNativeCode", "  package.loadlib('libc.so.6', '*')", "runtime-error"},
        Abuse{"CompileAtRunTime", "  load('os.execute(\"touch MARKER\")')()", "runtime-error"},
        Abuse{"EndlessLoop", "  while true do end", "out-of-budget"},
        Abuse{"RunawayPattern", "  string.find(string.rep('a', 3000), string.rep('.-', 12) .. 'b')",
              "too costly"},
        Abuse{"MemoryBomb", "  local s = string.rep('x', 1 << 30)", "out-of-memory"},
        Abuse{"DeepRecursion", "  local function f() return 1 + f() end\n  f()", "abuse.lua"},
        Abuse{"StringMetatable", "  getmetatable('').__index = function() return os end", "runtime-error"},
        Abuse{"HugeAnswer", "  local t = {} for i = 1, 5000 do t[i] = 'x.io' end\n  do return t end",
              "invalid-result"}),
    [](const ::testing::TestParamInfo<Abuse>& p) { return std::string(p.param.name); });

TEST(PolicyCli, TheScriptSeesRegistriesFromFlagsThenConfigAndThePlatform) {
    CliEnv env;
    auto script = env.path("echo.lua");
    harness::write_file(script,
                        "function select(ref, ctx)\n"
                        "  local out = {}\n"
                        "  for i, r in ipairs(ctx.registries) do\n"
                        "    out[i] = {registry = r, reason = ctx.platform .. ' ' .. ctx.operation .. ' ' .. "
                        "tostring(ref.qualified)}\n"
                        "  end\n"
                        "  return out\n"
                        "end\n");
    harness::write_file(env.path("config.json"), R"({"image_registries": ["b.example.com"]})");
    auto r = env.boxtool({"policy", "explain", "team/app:1", "--policy", script.string(), "--registry",
                          "a.example.com", "--config", env.path("config.json").string(), "--platform",
                          "linux/arm64"});
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("1. a.example.com/team/app:1\n   reason: linux/arm64 pull false"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("2. b.example.com/team/app:1"), std::string::npos) << r.out;
}

TEST(PolicyCli, ABinaryChunkIsRefused) {
    CliEnv env;
    auto script = env.path("binary.lua");
    harness::write_file(script, std::string("\x1bLua\x54\x00\x19\x93\r\n\x1a\n", 12));
    auto r = env.boxtool({"policy", "explain", "alpine", "--policy", script.string()});
    EXPECT_EQ(r.exit_code, kPolicy) << r.describe();
    EXPECT_NE(r.err.find("syntax-error"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("binary chunk"), std::string::npos) << r.err;
}

TEST(PolicyCli, PolicyTestReportsFailingCasesAndExitsNonZero) {
    CliEnv env;
    auto cases = env.path("cases.json");
    harness::write_file(cases, R"({"context": {"registries": ["mirror.internal"]}, "cases": [
      {"name": "right", "reference": "alpine", "expect": ["mirror.internal/alpine:latest", "docker.io/library/alpine:latest"]},
      {"name": "wrong order", "reference": "alpine", "expect": ["docker.io/library/alpine:latest", "mirror.internal/alpine:latest"]},
      {"name": "not denied", "reference": "ghcr.io/a/b", "expect_deny": true}
    ]})");
    auto r = env.boxtool(
        {"policy", "test", (harness::source_dir() / "lua" / "default.lua").string(), cases.string()});
    EXPECT_EQ(r.exit_code, kFailure) << r.describe();
    EXPECT_NE(r.out.find("PASS 1 right"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("FAIL 2 wrong order"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("FAIL 3 not denied"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("3 case(s): 1 passed, 2 failed"), std::string::npos) << r.out;

    harness::write_file(cases, R"({"cases": [{"reference": "alpine"}]})");
    auto malformed = env.boxtool(
        {"policy", "test", (harness::source_dir() / "lua" / "default.lua").string(), cases.string()});
    EXPECT_EQ(malformed.exit_code, kUsage) << malformed.describe();
    EXPECT_NE(malformed.err.find("case 1"), std::string::npos) << malformed.err;
}

// A mirror gets the upstream's credentials only when the policy names the upstream in credentials_from.
class PolicyCredentialsTest : public ::testing::Test {
  protected:
    const std::string user = "e2e-user";
    const std::string password = "Mirror-Pa55-19ab";
    void SetUp() override {
        upstream.start();
        mirror.start();
        harness::Credentials creds{user, password};
        image = harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 1}, upstream.host(),
                                       "e2e/private:v1", creds);
        harness::make_and_push({.out = env.path("src"), .tag = "v1", .layers = 1}, mirror.host(),
                               "e2e/private:v1", creds);
    }

    RunResult pull_with(const std::string& extra) {
        auto script = env.path("creds.lua");
        harness::write_file(script, mirror_script(mirror.host(), upstream.host(), extra));
        std::vector<std::string> args{"--policy", script.string(), "--creds", user + ":" + password};
        for (const auto& f : insecure({mirror.host(), upstream.host()})) args.push_back(f);
        return env.pull(upstream.host() + "/e2e/private:v1", args);
    }

    CliEnv env;
    harness::RegistryServer upstream{{.users = {{"e2e-user", "Mirror-Pa55-19ab"}}}};
    harness::RegistryServer mirror{{.users = {{"e2e-user", "Mirror-Pa55-19ab"}}}};
    harness::ImageInfo image;
};

TEST_F(PolicyCredentialsTest, AnUntrustedMirrorNeverReceivesTheUpstreamCredentials) {
    int mirror_ok_before = 0;
    for (const auto& req : mirror.requests())
        if (req.status == 200 && req.path.find("/e2e/private/manifests/") != std::string::npos)
            ++mirror_ok_before;
    auto r = pull_with("");
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("Pulled " + upstream.host()), std::string::npos) << r.out;
    int mirror_ok = 0;
    for (const auto& req : mirror.requests())
        if (req.status == 200 && req.path.find("/e2e/private/manifests/") != std::string::npos) ++mirror_ok;
    // The same password would have opened the mirror: it was never sent there.
    EXPECT_EQ(mirror_ok, mirror_ok_before);
    EXPECT_GE(mirror.count_requests("", "/v2/"), 1) << "the mirror was not tried";
}

TEST_F(PolicyCredentialsTest, ATrustedMirrorReceivesThem) {
    auto r = pull_with(", credentials_from = '" + upstream.host() + "'");
    ASSERT_EQ(r.exit_code, kOk) << r.describe();
    EXPECT_NE(r.out.find("Pulled " + mirror.host()), std::string::npos) << r.out;
}

}  // namespace
}  // namespace boxtool::conformance
