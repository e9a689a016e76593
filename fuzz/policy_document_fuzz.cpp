// libFuzzer entry point: containers-policy.json parsing must refuse any input cleanly (JsonError)
// or parse it; never crash, hang or exhaust memory. Then the parsed policy's scope lookup runs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "boxtool/trust.hpp"
#include "trust/policy_document.hpp"
#include "trust/strict_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto doc = boxtool::trust::parse_policy_document(text);
        for (const auto& r : doc.default_requirements) (void)r.describe();
    } catch (const boxtool::trust::JsonError&) {
    }
    auto policy = boxtool::ContainersPolicy::from_json(text, "fuzz");
    if (policy) (void)(*policy)->scope_for(boxtool::parse_reference("quay.io/team/app:v1").value());
    return 0;
}
