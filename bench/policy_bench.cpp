// One registry-selection decision: a fresh sandboxed Lua state, the script run, the answer
// validated. Compared with the built-in DefaultPolicy, which does the same work in C++.
#include <benchmark/benchmark.h>

#include "boxtool/lua_policy.hpp"

namespace {

boxtool::PolicyContext bench_context() {
    boxtool::PolicyContext ctx;
    ctx.registries = {"mirror.internal", "registry.internal:5000"};
    ctx.insecure_registries = {"registry.internal:5000"};
    ctx.platform = boxtool::Platform{"linux", "amd64", ""};
    return ctx;
}

void run_lua(benchmark::State& state, const char* script) {
    auto policy = boxtool::lua::LuaPolicy::from_file(std::string(BOXTOOL_LUA_DIR) + "/" + script).value();
    auto ref = boxtool::parse_reference("myorg/app:1.4").value();
    auto ctx = bench_context();
    for (auto _ : state) {
        auto candidates = policy->select(ref, ctx);
        benchmark::DoNotOptimize(candidates);
    }
}

void BM_LuaPolicyDecision_Default(benchmark::State& state) {
    run_lua(state, "default.lua");
}
BENCHMARK(BM_LuaPolicyDecision_Default)->UseRealTime();  // the work runs on a worker thread

void BM_LuaPolicyDecision_MirrorFallback(benchmark::State& state) {
    run_lua(state, "mirror_fallback.lua");
}
BENCHMARK(BM_LuaPolicyDecision_MirrorFallback)->UseRealTime();

void BM_BuiltInDefaultPolicyDecision(benchmark::State& state) {
    boxtool::DefaultPolicy policy;
    auto ref = boxtool::parse_reference("myorg/app:1.4").value();
    auto ctx = bench_context();
    for (auto _ : state) {
        auto candidates = policy.select(ref, ctx);
        benchmark::DoNotOptimize(candidates);
    }
}
BENCHMARK(BM_BuiltInDefaultPolicyDecision);

}  // namespace
