// Turns the value select() returned into validated candidates. Uses only raw, non-allocating Lua
// calls (rawlen, rawgeti, next), so no script code runs and no Lua error can be raised here.
#pragma once

#include <lua.hpp>

#include <string>

#include "boxtool/lua_policy.hpp"

namespace boxtool::lua::detail {

// `index` is the returned value's stack slot. Outcome::Candidates, or InvalidResult naming the field.
Decision read_candidates(lua_State* L, int index, const std::string& name, const LuaLimits& limits,
                         const Reference& reference, const PolicyContext& context);

}  // namespace boxtool::lua::detail
