// lua/default.lua must express exactly the built-in DefaultPolicy: same candidates, same order,
// same reasons, same insecure flags, on a table of references and search-registry settings.

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace boxtool::lua {
namespace {

TEST(DefaultLua, AgreesWithTheBuiltInPolicy) {
    auto lua_default = LuaPolicy::from_file(std::string(BOXTOOL_LUA_DIR) + "/default.lua").value();
    DefaultPolicy builtin;
    const std::vector<std::string> references = {
        "alpine",
        "alpine:3.19",
        "library/alpine",
        "myorg/app:1",
        "myorg/team/app@sha256:" + std::string(64, 'a'),
        "docker.io/alpine",
        "index.docker.io/library/alpine:edge",
        "registry-1.docker.io/myorg/app",
        "ghcr.io/owner/app:1.0",
        "localhost/app",
        "localhost:5000/a/b/c:tag",
        "127.0.0.1:5000/demo/hello:1.0",
        "[::1]:5000/demo/hello",
        "quay.io/org/app@sha256:" + std::string(64, 'b'),
        "registry.example.com:5000/team/app:1.4",
    };
    const std::vector<std::vector<std::string>> search_lists = {
        {},
        {"mirror.internal"},
        {"mirror.internal", "registry.internal:5000"},
        {"docker.io", "quay.io"},
        {"Index.Docker.IO", "Quay.io", "quay.io"},
        {"127.0.0.1:5000", "localhost:5001", "[::1]:5002"},
    };
    const std::vector<std::string> insecure = {"registry.internal:5000", "127.0.0.1", "localhost:5001"};
    int compared = 0;
    for (const auto& text : references) {
        for (const auto& registries : search_lists) {
            SCOPED_TRACE(text + " with " + std::to_string(registries.size()) + " search registries");
            PolicyContext ctx = test::context_with(registries);
            ctx.insecure_registries = insecure;
            Reference ref = test::ref_of(text);
            auto want = builtin.select(ref, ctx).value();
            auto got = lua_default->select(ref, ctx).value();
            ASSERT_EQ(got.size(), want.size());
            for (std::size_t i = 0; i < want.size(); ++i) {
                EXPECT_EQ(got[i].reference.str(), want[i].reference.str());
                EXPECT_EQ(got[i].reason, want[i].reason);
                EXPECT_EQ(got[i].insecure, want[i].insecure) << got[i].reference.str();
                EXPECT_TRUE(got[i].mirror_of.empty());
                EXPECT_FALSE(got[i].digest_only);
            }
            ++compared;
        }
    }
    EXPECT_EQ(compared, static_cast<int>(references.size() * search_lists.size()));
}

}  // namespace
}  // namespace boxtool::lua
