// The raw Lua C API side of a decision: a fresh, limited state, the script run under protection,
// and its answer handed to the candidate reader. Nothing from Lua leaks out of this file's pair.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "boxtool/lua_policy.hpp"

namespace boxtool::lua::detail {

// Everything the script sees, as plain strings prepared before Lua runs, so the C functions that
// build the tables create no C++ objects a Lua error could skip over.
struct ScriptInputs {
    std::string registry;  // empty when the reference is unqualified
    std::string repository;
    std::string tag;
    std::string digest;
    bool has_tag = false;
    bool has_digest = false;
    bool qualified = false;
    std::vector<std::string> registries;
    std::vector<std::string> insecure_registries;
    std::string platform;
    std::string operation;
};

ScriptInputs make_inputs(const Reference& reference, const PolicyContext& context);

// `abandoned` is set by a caller that stopped waiting: the script stops at its next hook.
Decision run_sandboxed(const std::string& script, const std::string& name, const LuaLimits& limits,
                       const Reference& reference, const PolicyContext& context,
                       const std::atomic<bool>& abandoned);

}  // namespace boxtool::lua::detail
