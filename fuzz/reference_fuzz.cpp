// Image references: parse, print, parse again; the second parse must agree with the first.
#include <cstdlib>

#include "boxtool/reference.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto ref = boxtool::parse_reference(boxtool::fuzz::text(data, size));
    if (!ref) return 0;
    auto again = boxtool::parse_reference(ref->str());
    if (!again || again->str() != ref->str()) std::abort();  // printing must round-trip
    if (ref->qualified) (void)ref->on("docker.io");
    (void)boxtool::normalize_registry(ref->registry);
    return 0;
}
