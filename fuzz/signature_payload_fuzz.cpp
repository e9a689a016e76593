// libFuzzer entry point: the signed payload of simple-signing and sigstore signatures.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "trust/signature_payload.hpp"
#include "trust/strict_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    for (auto kind : {boxtool::trust::PayloadKind::SimpleSigning, boxtool::trust::PayloadKind::Sigstore}) {
        try {
            (void)boxtool::trust::parse_signature_payload(text, kind);
        } catch (const boxtool::trust::JsonError&) {
        }
    }
    return 0;
}
