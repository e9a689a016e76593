// The Lua policy's answer: whatever select() returns is validated before it is used. The input is
// the Lua expression returned; the run is sandboxed with small limits.
#include <atomic>

#include "fuzz_support.hpp"
#include "sandbox.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace boxtool;
    static const Reference ref = *parse_reference("docker.io/library/alpine:3");
    static PolicyContext ctx = [] {
        PolicyContext c;
        c.registries = {"mirror.example.com", "registry.example.com:5000"};
        c.insecure_registries = {"registry.example.com:5000"};
        c.platform = Platform{"linux", "amd64", ""};
        c.operation = "pull";
        return c;
    }();
    lua::LuaLimits limits;
    limits.instructions = 100000;
    limits.memory_bytes = 4u << 20;
    std::atomic<bool> abandoned{false};
    std::string script =
        "function select(ref, ctx)\nreturn " + std::string(fuzz::text(data, size)) + "\nend\n";
    (void)lua::detail::run_sandboxed(script, "fuzz.lua", limits, ref, ctx, abandoned);
    return 0;
}
