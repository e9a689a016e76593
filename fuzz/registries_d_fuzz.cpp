// libFuzzer entry point: one registries.d YAML file (yaml-cpp), malformed or deeply nested.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "trust/registries_d_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)boxtool::trust::parse_registries_d_file(text);
    } catch (const boxtool::trust::JsonError&) {
    }
    return 0;
}
