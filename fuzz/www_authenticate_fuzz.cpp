// WWW-Authenticate headers (RFC 7235 challenges), one header or several separated by newlines.
#include "fuzz_support.hpp"
#include "registry/challenge.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto in = boxtool::fuzz::text(data, size);
    auto one = boxtool::registry::parse_challenges(in);
    for (const auto& c : one) (void)c.param("realm");
    std::vector<std::string> headers;
    for (const auto& h : boxtool::fuzz::split(in, '\n', 4))
        if (!h.empty()) headers.push_back(h);
    (void)boxtool::registry::parse_challenges(headers);
    return 0;
}
