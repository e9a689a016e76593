// libFuzzer entry point: the sigstore signature manifest (the sha256-<digest>.sig tag or a referrer)
// as a hostile registry may serve it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "trust/attachment_manifest.hpp"
#include "trust/strict_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)boxtool::trust::parse_attachment_manifest(text);
    } catch (const boxtool::trust::JsonError&) {
    }
    return 0;
}
