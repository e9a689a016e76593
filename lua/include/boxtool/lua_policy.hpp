/// \file
/// A registry-selection policy written in Lua 5.4. Each decision runs the script in a fresh sandbox
/// (no io/os/package/debug, no load/loadfile/dofile, text chunks only) under a memory cap and an
/// instruction budget, then validates what it returned before the engine sees it.
///
///     auto policy = boxtool::lua::LuaPolicy::from_file("/usr/local/share/boxtool/lua/mirror_fallback.lua");
///     if (!policy) return fail(policy.error());        // unreadable or larger than 1 MiB
///     engine_options.policy = *policy;                 // the engine calls select() per reference
///     auto decision = (*policy)->decide(ref, context); // or run it once, for tests
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "boxtool/policy.hpp"

namespace boxtool::lua {

struct LuaLimits {
    std::size_t memory_bytes = 16u << 20;     ///< everything the state allocates, libraries included
    std::uint64_t instructions = 10'000'000;  ///< VM instructions per decision
    std::size_t max_candidates = 64;          ///< a longer answer is malformed, not a list to try
    /// Wall-clock cap, for time spent inside one library call (a pathological string pattern),
    /// which the instruction budget cannot see. Reported as Outcome::OutOfBudget.
    std::chrono::milliseconds wall_clock{3000};
};

/// How one decision ended. Each failure is its own kind so users (and tests) can tell them apart.
enum class Outcome {
    Candidates,     ///< a valid, non-empty list
    Denied,         ///< the script called deny(reason)
    SyntaxError,    ///< the script does not compile
    RuntimeError,   ///< the script raised an error (including touching what the sandbox removed)
    OutOfMemory,    ///< the script hit LuaLimits::memory_bytes
    OutOfBudget,    ///< the script hit LuaLimits::instructions
    InvalidResult,  ///< select() returned something that is not a valid candidate list
};

/// Stable lower-case name: "candidates", "denied", "syntax-error", ...
BOXTOOL_API const char* to_string(Outcome outcome) noexcept;

struct Decision {
    Outcome outcome = Outcome::InvalidResult;
    std::vector<Candidate> candidates;  ///< for Outcome::Candidates
    std::string message;  ///< the deny reason, or the error naming the script and line (or field)
};

class BOXTOOL_API LuaPolicy final : public RegistryPolicy {
  public:
    /// `script` is Lua source; `name` is how messages name it (usually the file's path).
    LuaPolicy(std::string script, std::string name, LuaLimits limits = {});
    /// Reads FILE.lua. An Error of kind Config if it cannot be read or is larger than 1 MiB.
    static Result<std::shared_ptr<LuaPolicy>> from_file(const std::filesystem::path& path,
                                                        LuaLimits limits = {});

    /// One sandboxed run of select(ref, ctx). Never throws for anything the script does.
    Decision decide(const Reference& reference, const PolicyContext& context) const;
    /// decide(), with Denied as an Error of kind PolicyDenied and every other failure as PolicyError.
    Result<std::vector<Candidate>> select(const Reference& reference, const PolicyContext& context) override;

    const std::string& name() const noexcept { return name_; }

    /// Runs given up on for overrunning LuaLimits::wall_clock whose threads have not ended yet
    /// (in the whole process). They end at their next instruction hook; while a few are still
    /// ending, further decisions are refused rather than piling threads up.
    static int abandoned_runs() noexcept;

  private:
    std::string script_;
    std::string name_;
    LuaLimits limits_;
};

}  // namespace boxtool::lua
