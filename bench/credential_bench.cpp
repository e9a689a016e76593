// What credentials cost a pull: loading the default chain (dlopen, checks, create), a docker-config
// lookup in a large config.json, and the cached answer every later request of a pull gets.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "boxtool/credential_chain.hpp"

namespace {

struct ConfigFixture {
    std::filesystem::path dir;
    std::string settings;
    ConfigFixture() {
        char tmpl[] = "/tmp/boxtool-cred-bench-XXXXXX";
        dir = ::mkdtemp(tmpl);
        std::ofstream out(dir / "config.json");
        out << R"({"auths":{)";
        for (int i = 0; i < 200; ++i)
            out << (i ? "," : "") << "\"registry" << i
                << ".example.com\":{\"auth\":\"dXNlcjpwYXNzd29yZA==\"}";
        out << "}}";
        settings = R"({"plugin":"docker-config","files":[")" + (dir / "config.json").string() + R"("]})";
    }
    ~ConfigFixture() { std::filesystem::remove_all(dir); }
};

std::vector<std::filesystem::path> dirs() {
    return {BOXTOOL_PLUGIN_BUILD_DIR};
}

void BM_LoadDefaultChain(benchmark::State& state) {
    ConfigFixture f;
    for (auto _ : state) {
        auto chain =
            boxtool::plugins::CredentialChain::load({{"docker-config", {}, f.settings}}, dirs()).value();
        benchmark::DoNotOptimize(chain->size());
    }
}
BENCHMARK(BM_LoadDefaultChain);

void BM_FirstLookupInLargeConfig(benchmark::State& state) {
    ConfigFixture f;
    for (auto _ : state) {
        state.PauseTiming();
        auto chain =
            boxtool::plugins::CredentialChain::load({{"docker-config", {}, f.settings}}, dirs()).value();
        state.ResumeTiming();
        benchmark::DoNotOptimize(chain->lookup("registry150.example.com", "team/app"));
    }
}
BENCHMARK(BM_FirstLookupInLargeConfig);

void BM_CachedLookup(benchmark::State& state) {
    ConfigFixture f;
    auto chain = boxtool::plugins::CredentialChain::load({{"docker-config", {}, f.settings}}, dirs()).value();
    static_cast<void>(chain->lookup("registry150.example.com", "team/app"));
    for (auto _ : state) benchmark::DoNotOptimize(chain->lookup("registry150.example.com", "team/app"));
}
BENCHMARK(BM_CachedLookup);

}  // namespace
