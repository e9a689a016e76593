#include "attester.hpp"

#include <stdexcept>

#include "base64.hpp"

namespace boxtool::plugins::kbs {

std::string SampleAttester::evidence(std::string_view report_data) const {
    return R"({"report_data":")" + base64_encode(report_data) + R"(","svn":"1"})";
}

std::unique_ptr<Attester> make_attester(const std::string& name, bool allow_sample) {
    if (name == "sample") {
        if (!allow_sample)
            throw std::runtime_error(
                "the \"sample\" attester proves nothing about this machine and must be enabled explicitly: "
                "set \"allow_sample_attester\": true next to \"attester\": \"sample\" (for tests only)");
        return std::make_unique<SampleAttester>();
    }
    throw std::runtime_error("unknown attester \"" + name +
                             "\": this build of the kbs plugin has only the \"sample\" attester");
}

}  // namespace boxtool::plugins::kbs
