// Docker's config.json and containers' auth.json, as found in a user's home.
#include "auth_file.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace boxtool::plugins;
    try {
        AuthFile file = parse_auth_file("/fuzz/config.json", boxtool::fuzz::text(data, size));
        (void)file.find("docker.io", "library/alpine");
        (void)file.find("registry.example.com:5000", "team/app");
        (void)file.helper_for("registry.example.com");
    } catch (const std::exception&) {
        // A malformed file is refused with an error: that is the expected outcome.
    }
    return 0;
}
