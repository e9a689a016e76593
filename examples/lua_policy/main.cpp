// The Lua policy host from the installed library: the engine asks a sandboxed Lua script which
// registries to try. The scripts boxtool ships are installed in SHARE/boxtool/lua
// (`pkg-config --variable=scriptdir boxtool-lua`); default.lua is the built-in search order.
//
//   lua_policy NAME STORE_DIR POLICY.lua SEARCH_REGISTRY
//   lua_policy samples/hello:1.0 /tmp/store /usr/local/share/boxtool/lua/default.lua localhost:5000
#include <boxtool/engine.hpp>
#include <boxtool/lua_policy.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s NAME STORE_DIR POLICY.lua SEARCH_REGISTRY\n", argv[0]);
        return 2;
    }
    auto policy =
        boxtool::lua::LuaPolicy::from_file(argv[3]);  // memory cap and instruction budget: LuaLimits
    if (!policy) {
        std::fprintf(stderr, "%s\n", policy.error().describe().c_str());
        return 2;
    }
    // decide() runs the script once, for tools that test policies; the engine calls select().
    boxtool::PolicyContext ctx{{argv[4]}, {argv[4]}, boxtool::host_platform(), "explain"};
    auto decision = (*policy)->decide(boxtool::parse_reference(argv[1]).value(), ctx);
    std::printf("policy outcome: %s\n", boxtool::lua::to_string(decision.outcome));

    boxtool::EngineOptions options;
    options.store_root = argv[2];
    options.search_registries = {argv[4]};
    options.insecure_registries = {argv[4]};
    options.policy = *policy;
    boxtool::Engine engine(options);
    auto pulled = engine.pull(argv[1]);
    if (!pulled) {
        std::fprintf(stderr, "%s\n", pulled.error().describe().c_str());
        return 1;
    }
    std::printf("pulled %s from %s\n", pulled->manifest_digest.str().c_str(),
                pulled->reference.str().c_str());
    return 0;
}
