// Sandbox escape and abuse attempts: each must end in its own kind of failure, with a message
// naming the script and line, and must never produce candidates (so nothing is pulled).

#include <gtest/gtest.h>

#include <fstream>

#include "test_support.hpp"

namespace boxtool::lua {
namespace {

using test::decide;

void expect_contained(const Decision& d, Outcome want, const std::string& needle) {
    EXPECT_EQ(to_string(d.outcome), std::string(to_string(want))) << d.message;
    EXPECT_TRUE(d.candidates.empty());
    EXPECT_NE(d.message.find("test.lua"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find(needle), std::string::npos) << d.message;
}

TEST(LuaSandbox, ReadingAFileThroughIoIsARuntimeError) {
    auto d = decide(
        "function select(ref, ctx)\n  local f = io.open('/etc/passwd')\n  return {f:read('a')}\nend\n");
    expect_contained(d, Outcome::RuntimeError, "test.lua:2:");
    EXPECT_NE(d.message.find("io"), std::string::npos) << d.message;
}

TEST(LuaSandbox, RunningACommandThroughOsIsARuntimeError) {
    auto d = decide(
        "function select(ref, ctx)\n  os.execute('touch /tmp/boxtool-escaped')\n  return {'x.io'}\nend\n");
    expect_contained(d, Outcome::RuntimeError, "test.lua:2:");
    EXPECT_NE(d.message.find("os"), std::string::npos);
}

TEST(LuaSandbox, PackageRequireAndNativeLoadersAreAbsent) {
    auto d = decide("function select(ref, ctx)\n  return { package.loadlib('libc.so.6', 'system') }\nend\n");
    expect_contained(d, Outcome::RuntimeError, "test.lua:2:");
    d = decide("function select(ref, ctx)\n  local io = require('io')\n  return {'x.io'}\nend\n");
    expect_contained(d, Outcome::RuntimeError, "test.lua:2:");
}

TEST(LuaSandbox, LoadLoadfileDofileAndDebugAreAbsent) {
    for (const char* call : {"load('return 1')", "loadfile('/etc/passwd')", "dofile('/etc/passwd')",
                             "debug.getregistry()", "collectgarbage('stop')", "print('hi')"}) {
        SCOPED_TRACE(call);
        auto d = decide(std::string("function select(ref, ctx)\n  local x = ") + call +
                        "\n  return {'x.io'}\nend\n");
        expect_contained(d, Outcome::RuntimeError, "test.lua:2:");
    }
}

TEST(LuaSandbox, ABinaryChunkIsRefusedAsASyntaxError) {
    // The bytecode signature: Lua would otherwise load a precompiled (and possibly crafted) chunk.
    auto d = decide(std::string("\x1bLua\x54\x00\x19\x93\r\n\x1a\n", 12));
    expect_contained(d, Outcome::SyntaxError, "binary");
    auto dump = decide("function select(ref, ctx)\n  return { string.dump(select) }\nend\n");
    expect_contained(dump, Outcome::RuntimeError, "test.lua:2:");
}

TEST(LuaSandbox, StringRepMemoryBombIsOutOfMemory) {
    auto d = decide("function select(ref, ctx)\n  local s = string.rep('x', 1 << 30)\n  return {s}\nend\n");
    expect_contained(d, Outcome::OutOfMemory, "out of memory");
    EXPECT_NE(d.message.find("line 2"), std::string::npos) << d.message;
}

TEST(LuaSandbox, DoublingStringsUntilMemoryRunsOutIsOutOfMemory) {
    auto d = decide(
        "function select(ref, ctx)\n  local t, s = {}, 'xxxxxxxx'\n  while true do\n    s = s .. s\n"
        "    t[#t + 1] = s\n  end\nend\n");
    expect_contained(d, Outcome::OutOfMemory, "out of memory");
}

TEST(LuaSandbox, MemoryErrorsCaughtByPcallStillFailTheDecision) {
    auto d = decide("function select(ref, ctx)\n  pcall(string.rep, 'x', 1 << 30)\n  return {'x.io'}\nend\n");
    expect_contained(d, Outcome::OutOfMemory, "out of memory");
}

TEST(LuaSandbox, EndlessLoopRunsOutOfBudget) {
    auto d = decide("function select(ref, ctx)\n  while true do end\nend\n");
    expect_contained(d, Outcome::OutOfBudget, "instruction budget");
    EXPECT_NE(d.message.find("line 2"), std::string::npos) << d.message;
}

TEST(LuaSandbox, EndlessLoopInsidePcallCannotSwallowTheBudget) {
    auto d = decide(
        "local function spin() while true do end end\n"
        "function select(ref, ctx)\n  while true do pcall(spin) end\nend\n");
    expect_contained(d, Outcome::OutOfBudget, "instruction budget");
}

TEST(LuaSandbox, EndlessLoopInTheChunkBodyRunsOutOfBudget) {
    auto d = decide("local n = 0\nrepeat n = n + 1 until false\n");
    expect_contained(d, Outcome::OutOfBudget, "instruction budget");
}

TEST(LuaSandbox, DeepRecursionIsContained) {
    auto d = decide(
        "local function f(n) return 1 + f(n + 1) end\nfunction select(ref, ctx)\n  return {f(1)}\nend\n");
    // Lua's stack limit or the memory cap, whichever comes first; never a crash.
    EXPECT_TRUE(d.outcome == Outcome::RuntimeError || d.outcome == Outcome::OutOfMemory) << d.message;
    EXPECT_TRUE(d.candidates.empty());
    EXPECT_NE(d.message.find("test.lua"), std::string::npos) << d.message;
}

TEST(LuaSandbox, TheStringMetatableIsLocked) {
    auto d = decide(
        "function select(ref, ctx)\n  getmetatable('').__index = function() return 'evil.io' end\n"
        "  return {'x.io'}\nend\n");
    expect_contained(d, Outcome::RuntimeError, "test.lua:2:");
    auto set = decide(
        "function select(ref, ctx)\n  setmetatable(string, {__index = function() end})\n"
        "  debug = {} return {('x'):rep(2) .. '.io'}\nend\n");
    // The string library table is the script's own (fresh state): changing it harms nobody, and
    // methods on strings still work.
    EXPECT_EQ(set.outcome, Outcome::Candidates) << set.message;
}

TEST(LuaSandbox, ChangesToSharedTablesDoNotOutliveADecision) {
    LuaPolicy policy(
        "function select(ref, ctx)\n  if string.poisoned then deny('state leaked between decisions') end\n"
        "  string.poisoned = true\n  _G.leak = true\n  return {'x.io'}\nend\n",
        "test.lua");
    auto ctx = test::context_with();
    for (int i = 0; i < 3; ++i) {
        auto d = policy.decide(test::ref_of("alpine"), ctx);
        EXPECT_EQ(d.outcome, Outcome::Candidates) << d.message;
    }
}

TEST(LuaSandbox, HugeReturnValuesAreMalformed) {
    auto many = decide(
        "function select(ref, ctx)\n  local t = {}\n  for i = 1, 100000 do t[i] = 'x.io' end\n  return "
        "t\nend\n");
    expect_contained(many, Outcome::InvalidResult, "at most 64");
    auto long_reason = decide(
        "function select(ref, ctx)\n  return {{registry = 'x.io', reason = string.rep('r', 100000)}}\nend\n");
    expect_contained(long_reason, Outcome::InvalidResult, "candidate 1.reason");
}

TEST(LuaSandbox, ADenialCaughtByPcallStillDenies) {
    auto d = decide("function select(ref, ctx)\n  pcall(deny, 'no')\n  return {'x.io'}\nend\n");
    EXPECT_EQ(d.outcome, Outcome::Denied) << d.message;
    EXPECT_NE(d.message.find("no"), std::string::npos);
    EXPECT_TRUE(d.candidates.empty());
}

TEST(LuaSandbox, MetamethodsOnTheReturnedListAreNotRun) {
    // Reading the answer uses raw access: an __index that would invent candidates is never called.
    auto d = decide(
        "function select(ref, ctx)\n  return setmetatable({}, {__index = function() return 'evil.io' end,\n"
        "    __len = function() return 1 end})\nend\n");
    expect_contained(d, Outcome::InvalidResult, "empty list");
}

TEST(LuaSandbox, ErrorObjectsThatAreNotStringsStillNameTheLine) {
    auto d = decide("function select(ref, ctx)\n  error({code = 1})\nend\n");
    expect_contained(d, Outcome::RuntimeError, "test.lua:2:");
    EXPECT_NE(d.message.find("table"), std::string::npos) << d.message;
}

TEST(LuaSandbox, SyntaxErrorNamesScriptAndLine) {
    auto d = decide("function select(ref, ctx)\n  return {'x.io'\nend\n");
    expect_contained(d, Outcome::SyntaxError, "test.lua:3:");
}

TEST(LuaSandbox, TinyLimitsAreEnforced) {
    LuaLimits tight;
    tight.instructions = 5000;
    auto d = decide("function select(ref, ctx)\n  for i = 1, 100000 do end\n  return {'x.io'}\nend\n",
                    "alpine", tight);
    EXPECT_EQ(d.outcome, Outcome::OutOfBudget) << d.message;
    LuaLimits small;
    small.memory_bytes = 64 * 1024;
    d = decide(
        "function select(ref, ctx)\n  local t = {}\n  for i = 1, 10000 do t[i] = {i} end\n  return "
        "{'x.io'}\nend\n",
        "alpine", small);
    EXPECT_EQ(d.outcome, Outcome::OutOfMemory) << d.message;
}

}  // namespace
}  // namespace boxtool::lua

namespace boxtool::lua {
namespace {

TEST(LuaSandbox, ARunawayStringPatternIsRefusedBeforeItRuns) {
    // Pattern matching runs in C, out of the instruction budget's sight, and a thread given up on
    // would spin on inside it: a pattern whose backtracking could run away is refused up front.
    LuaLimits limits;
    limits.wall_clock = std::chrono::milliseconds(300);
    auto d = test::decide(
        "function select(ref, ctx)\n  local s = string.rep('a', 3000)\n"
        "  string.find(s, string.rep('.-', 12) .. 'b')\n  return {'x.io'}\nend\n",
        "alpine", limits);
    EXPECT_EQ(d.outcome, Outcome::RuntimeError) << d.message;
    EXPECT_NE(d.message.find("too costly"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("test.lua"), std::string::npos) << d.message;
    EXPECT_TRUE(d.candidates.empty());
}

}  // namespace
}  // namespace boxtool::lua
