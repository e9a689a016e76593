// Helpers shared by the Lua policy tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "boxtool/lua_policy.hpp"

namespace boxtool::lua::test {

inline Reference ref_of(std::string_view text) {
    auto r = parse_reference(text);
    EXPECT_TRUE(r.ok()) << text;
    return r.ok() ? *r : Reference{};
}

inline PolicyContext context_with(std::vector<std::string> registries = {}) {
    PolicyContext ctx;
    ctx.registries = std::move(registries);
    ctx.platform = Platform{"linux", "amd64", ""};
    return ctx;
}

inline Decision decide(const std::string& script, std::string_view ref = "docker.io/library/alpine:3",
                       LuaLimits limits = {}) {
    LuaPolicy policy(script, "test.lua", limits);
    return policy.decide(ref_of(ref), context_with({"mirror.example.com"}));
}

}  // namespace boxtool::lua::test
