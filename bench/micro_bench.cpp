// Micro-benchmarks of the hot paths that do not need a network: hashing every byte that arrives,
// and parsing references (once per pull, but also in policy evaluation loops).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/reference.hpp"

namespace {

void BM_Sha256Stream(benchmark::State& state) {
    std::string chunk(static_cast<std::size_t>(state.range(0)), 'x');
    for (auto _ : state) {
        boxtool::Hasher h("sha256");
        for (int i = 0; i < 16; ++i) h.update(chunk);
        benchmark::DoNotOptimize(h.finish());
    }
    state.SetBytesProcessed(state.iterations() * 16 * state.range(0));
}
BENCHMARK(BM_Sha256Stream)->Arg(16 << 10)->Arg(64 << 10)->Arg(1 << 20);

void BM_Sha512Stream(benchmark::State& state) {
    std::string chunk(64 << 10, 'x');
    for (auto _ : state) {
        boxtool::Hasher h("sha512");
        for (int i = 0; i < 16; ++i) h.update(chunk);
        benchmark::DoNotOptimize(h.finish());
    }
    state.SetBytesProcessed(state.iterations() * 16 * (64 << 10));
}
BENCHMARK(BM_Sha512Stream);

void BM_ParseReference(benchmark::State& state) {
    const std::vector<std::string> refs = {
        "alpine",
        "docker.io/library/alpine:3.19",
        "registry.example.com:5000/team/project/app:v1.2.3",
        "ghcr.io/org/app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "localhost/app:latest@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    };
    std::size_t i = 0;
    for (auto _ : state) {
        auto r = boxtool::parse_reference(refs[i++ % refs.size()]);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseReference);

}  // namespace
