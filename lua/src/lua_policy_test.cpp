// The policy contract: what select(ref, ctx) sees, what it may answer, and how a malformed answer
// is reported (naming the field).

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "test_support.hpp"

namespace boxtool::lua {
namespace {

using test::decide;

std::vector<std::string> strs(const std::vector<Candidate>& cands) {
    std::vector<std::string> out;
    for (const auto& c : cands) out.push_back(c.reference.str());
    return out;
}

TEST(LuaPolicy, TheScriptSeesTheReferenceAndContext) {
    LuaPolicy policy(R"(
function select(ref, ctx)
  assert(ref.registry == "ghcr.io", "registry")
  assert(ref.repository == "org/app", "repository")
  assert(ref.tag == "1.0", "tag")
  assert(ref.digest == "sha256:" .. string.rep("a", 64), "digest")
  assert(ref.qualified == true, "qualified")
  assert(ctx.registries[1] == "one.example.com" and ctx.registries[2] == "two.example.com", "registries")
  assert(ctx.insecure_registries[1] == "two.example.com", "insecure")
  assert(ctx.platform == "linux/arm64/v8", "platform " .. ctx.platform)
  assert(ctx.operation == "inspect", "operation")
  return { "one.example.com" }
end)",
                     "contract.lua");
    PolicyContext ctx = test::context_with({"one.example.com", "two.example.com"});
    ctx.insecure_registries = {"two.example.com"};
    ctx.platform = Platform{"linux", "arm64", "v8"};
    ctx.operation = "inspect";
    auto d = policy.decide(test::ref_of("ghcr.io/org/app:1.0@sha256:" + std::string(64, 'a')), ctx);
    ASSERT_EQ(d.outcome, Outcome::Candidates) << d.message;
    EXPECT_EQ(d.candidates[0].reference.str(), "one.example.com/org/app:1.0@sha256:" + std::string(64, 'a'));
}

TEST(LuaPolicy, UnqualifiedReferencesHaveNoRegistry) {
    auto d = decide(
        "function select(ref, ctx)\n  assert(ref.registry == nil and not ref.qualified)\n"
        "  assert(ref.tag == 'latest' and ref.digest == nil)\n  return {'docker.io'}\nend\n",
        "alpine");
    ASSERT_EQ(d.outcome, Outcome::Candidates) << d.message;
    EXPECT_EQ(strs(d.candidates), std::vector<std::string>{"docker.io/library/alpine:latest"});
}

TEST(LuaPolicy, CandidateTablesCarryEveryField) {
    auto d = decide(R"(
function select(ref, ctx)
  return {
    { registry = "mirror.example.com:5000", repository = "hub/library/alpine", insecure = true,
      mirror_of = "docker.io", credentials_from = "docker.io", digest_only = false, reason = "the mirror" },
    "Docker.IO",
  }
end)");
    ASSERT_EQ(d.outcome, Outcome::Candidates) << d.message;
    ASSERT_EQ(d.candidates.size(), 2u);
    const Candidate& m = d.candidates[0];
    EXPECT_EQ(m.reference.str(), "mirror.example.com:5000/hub/library/alpine:3");
    EXPECT_TRUE(m.insecure);
    EXPECT_EQ(m.mirror_of, "docker.io");
    EXPECT_EQ(m.credentials_from, "docker.io");
    EXPECT_EQ(m.reason, "the mirror");
    EXPECT_EQ(d.candidates[1].reference.str(), "docker.io/library/alpine:3");
    EXPECT_NE(d.candidates[1].reason.find("test.lua"), std::string::npos);
}

TEST(LuaPolicy, ARepositoryRewriteOnDockerHubGetsLibrary) {
    auto d =
        decide("function select(ref, ctx) return {{registry = 'docker.io', repository = 'busybox'}} end");
    ASSERT_EQ(d.outcome, Outcome::Candidates) << d.message;
    EXPECT_EQ(d.candidates[0].reference.str(), "docker.io/library/busybox:3");
}

TEST(LuaPolicy, InsecureRegistriesFromTheContextApply) {
    LuaPolicy policy("function select(ref, ctx) return {'127.0.0.1:5000', 'secure.example.com'} end",
                     "t.lua");
    PolicyContext ctx = test::context_with();
    ctx.insecure_registries = {"127.0.0.1"};
    auto d = policy.decide(test::ref_of("alpine"), ctx);
    ASSERT_EQ(d.outcome, Outcome::Candidates) << d.message;
    EXPECT_TRUE(d.candidates[0].insecure);
    EXPECT_FALSE(d.candidates[1].insecure);
}

struct MalformedCase {
    const char* answer;
    const char* field;  // must appear in the message
};

TEST(LuaPolicy, MalformedAnswersNameTheField) {
    const MalformedCase cases[] = {
        {"nil", "got nil"},
        {"'docker.io'", "got string"},
        {"{}", "empty list"},
        {"{registry = 'x.io'}", "key \"registry\""},
        {"{42}", "candidate 1 must be a registry string or a table, got number"},
        {"{'x.io', 'not a host'}", "candidate 2 \"not a host\" is not a registry host"},
        {"{'nodots'}", "candidate 1 \"nodots\" is not a registry host"},
        {"{'x.io/path'}", "candidate 1 \"x.io/path\""},
        {"{{registry = 42}}", "candidate 1.registry must be a string, got number"},
        {"{{repository = 'a/b'}}", "candidate 1.registry is missing"},
        {"{{registry = 'x.io', repository = 'Upper/Case'}}", "candidate 1.repository \"Upper/Case\""},
        {"{{registry = 'x.io', repository = 'a/b:tag'}}", "candidate 1.repository \"a/b:tag\""},
        {"{{registry = 'x.io', insecure = 'yes'}}", "candidate 1.insecure must be a boolean"},
        {"{{registry = 'x.io', digest_only = 1}}", "candidate 1.digest_only must be a boolean"},
        {"{{registry = 'x.io', mirror_of = 'bad host'}}", "candidate 1.mirror_of"},
        {"{{registry = 'x.io', credentials_from = 'docker.io'}}", "candidate 1.credentials_from must name"},
        {"{{registry = 'x.io', mirror_of = 'quay.io', credentials_from = 'docker.io'}}",
         "candidate 1.credentials_from must name"},
        {"{{registry = 'x.io', regsitry = 'y.io'}}", "unknown field \"regsitry\""},
        {"{{registry = 'x.io', [1] = 'y'}}", "candidate 1 has a number key"},
        {"{{registry = 'x.io', reason = {}}}", "candidate 1.reason must be a string, got table"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.answer);
        auto d = decide(std::string("function select(ref, ctx) return ") + c.answer + " end");
        EXPECT_EQ(d.outcome, Outcome::InvalidResult) << d.message;
        EXPECT_NE(d.message.find(c.field), std::string::npos) << d.message;
        EXPECT_NE(d.message.find("test.lua"), std::string::npos) << d.message;
        EXPECT_TRUE(d.candidates.empty());
    }
}

TEST(LuaPolicy, AScriptWithoutSelectIsARuntimeError) {
    auto d = decide("local x = 1\n");
    EXPECT_EQ(d.outcome, Outcome::RuntimeError);
    EXPECT_NE(d.message.find("must define a function select"), std::string::npos) << d.message;
}

TEST(LuaPolicy, DenyCarriesTheReasonAndLine) {
    auto d = decide("function select(ref, ctx)\n  deny('no pulls from ' .. ref.registry)\nend\n");
    EXPECT_EQ(d.outcome, Outcome::Denied);
    EXPECT_NE(d.message.find("no pulls from docker.io"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("test.lua:2"), std::string::npos) << d.message;
}

TEST(LuaPolicy, SelectReturnsPolicyDeniedAndPolicyError) {
    LuaPolicy denying("function select() deny('not here') end", "deny.lua");
    auto ctx = test::context_with();
    auto denied = denying.select(test::ref_of("alpine"), ctx);
    ASSERT_FALSE(denied) << "expected a denial";
    EXPECT_EQ(denied.error().kind, ErrorKind::PolicyDenied);
    EXPECT_NE(denied.error().message.find("deny.lua denied alpine:latest: not here"), std::string::npos)
        << denied.error().message;
    LuaPolicy looping("function select() while true do end end", "loop.lua");
    auto failed = looping.select(test::ref_of("alpine"), ctx);
    ASSERT_FALSE(failed) << "expected an error";
    EXPECT_EQ(failed.error().kind, ErrorKind::PolicyError);
    EXPECT_NE(failed.error().message.find("out-of-budget"), std::string::npos) << failed.error().message;
    EXPECT_FALSE(failed.error().hint.empty());
}

TEST(LuaPolicy, FromFileRejectsMissingFiles) {
    auto policy = LuaPolicy::from_file("/nonexistent/policy.lua");
    ASSERT_FALSE(policy) << "expected an error";
    EXPECT_EQ(policy.error().kind, ErrorKind::Config);
    EXPECT_NE(policy.error().message.find("/nonexistent/policy.lua"), std::string::npos);
}

TEST(LuaPolicy, DigestOnlyCandidatesAreUsedOnlyForDigestPulls) {
    const std::string script =
        "function select(ref, ctx) return {{registry = 'cache.example.com', digest_only = true}, "
        "'docker.io'} end";
    LuaPolicy policy(script, "t.lua");
    auto ctx = test::context_with();
    auto by_tag = test::ref_of("alpine:3");
    EXPECT_EQ(strs(usable_candidates(by_tag, policy.select(by_tag, ctx).value())),
              std::vector<std::string>{"docker.io/library/alpine:3"});
    auto by_digest = test::ref_of("alpine@sha256:" + std::string(64, 'c'));
    EXPECT_EQ(usable_candidates(by_digest, policy.select(by_digest, ctx).value()).size(), 2u);
}

// --- Finalizers and runaway library calls (security review) ---

int thread_count() {
    int n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec);
         it != std::filesystem::directory_iterator(); ++it)
        ++n;
    return n;
}

TEST(LuaPolicy, GcMetamethodsAreRefused) {
    // Lua runs finalizers with hooks off: an endless loop in one escaped the instruction budget and
    // kept a thread spinning after the decision was given up.
    auto d = decide(R"(
        setmetatable({}, {__gc = function() while true do end end})
        function select(ref, ctx) return {{registry = "docker.io", reason = "x"}} end
    )");
    EXPECT_EQ(d.outcome, Outcome::RuntimeError);
    EXPECT_NE(d.message.find("__gc"), std::string::npos) << d.message;
    // Inside select too, and a pcall cannot make it pass.
    auto inside = decide(R"(
        function select(ref, ctx)
            local ok = pcall(setmetatable, {}, {__gc = function() end})
            if ok then return {{registry = "docker.io", reason = "finalizer set"}} end
            deny("refused")
        end
    )");
    EXPECT_EQ(inside.outcome, Outcome::Denied) << inside.message;
}

TEST(LuaPolicy, GcAddedToAMetatableLaterFinalizesNothing) {
    // Only a __gc present when setmetatable runs marks an object; adding it later does nothing,
    // so closing the state cannot run (and hang in) this one.
    auto d = decide(R"(
        local mt = {}
        local t = setmetatable({}, mt)
        mt.__gc = function() while true do end end
        function select(ref, ctx) return {{registry = "docker.io", reason = "fine"}} end
    )");
    EXPECT_EQ(d.outcome, Outcome::Candidates) << d.message;
}

TEST(LuaPolicy, OtherMetatablesStillWork) {
    auto d = decide(R"(
        local defaults = setmetatable({}, {__index = function(_, k) return "docker.io" end})
        function select(ref, ctx) return {{registry = defaults.anything, reason = "via __index"}} end
    )");
    EXPECT_EQ(d.outcome, Outcome::Candidates) << d.message;
}

TEST(LuaPolicy, RunawayStringPatternsAreRefusedBeforeTheyRun) {
    // Backtracking inside string.find runs in C, where the instruction budget cannot see it.
    auto d = decide(R"(
        function select(ref, ctx)
            string.find(string.rep("a", 40), string.rep("a*", 40) .. "b")
            return {{registry = "docker.io", reason = "x"}}
        end
    )");
    EXPECT_EQ(d.outcome, Outcome::RuntimeError);
    EXPECT_NE(d.message.find("too costly"), std::string::npos) << d.message;
    // Ordinary patterns, plain finds and methods on strings are untouched.
    auto ok = decide(R"(
        function select(ref, ctx)
            local host, port = ("registry.example.com:5000"):match("^([%w%.%-]+):?(%d*)$")
            assert(host == "registry.example.com" and port == "5000")
            assert(string.find("a*b", "*", 1, true) == 2)
            local n = 0
            for part in ("a/b/c"):gmatch("[^/]+") do n = n + 1 end
            assert(n == 3)
            assert(("x-y"):gsub("%-", "_") == "x_y")
            return {{registry = "docker.io", reason = "patterns"}}
        end
    )");
    EXPECT_EQ(ok.outcome, Outcome::Candidates) << ok.message;
}

TEST(LuaPolicy, ManyHostileDecisionsLeaveNoThreadsBehind) {
    // A long-running embedder asks a hostile script again and again: finalizers, endless loops,
    // runaway patterns. Every decision ends, and no thread is left spinning.
    const int before = thread_count();
    LuaLimits limits;
    limits.wall_clock = std::chrono::milliseconds(200);
    const char* scripts[] = {
        "setmetatable({}, {__gc = function() while true do end end})\nfunction select() end",
        "function select() while true do end end",
        "function select() local t = {} while true do t[#t + 1] = t end end",
        "function select() return string.rep('a', 60):find(string.rep('a-', 30) .. 'b') end",
    };
    for (int i = 0; i < 40; ++i) {
        auto d = decide(scripts[i % 4], "docker.io/library/alpine:3", limits);
        EXPECT_NE(d.outcome, Outcome::Candidates);
    }
    for (int i = 0; i < 100 && (LuaPolicy::abandoned_runs() > 0 || thread_count() > before); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(LuaPolicy::abandoned_runs(), 0);
    EXPECT_LE(thread_count(), before);
}

}  // namespace
}  // namespace boxtool::lua
