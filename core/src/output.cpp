#include "boxtool/output.hpp"

namespace boxtool {

Result<OutputSpec> parse_output_spec(std::string_view text) {
    auto colon = text.find(':');
    std::string_view kind = text.substr(0, colon);
    auto bad = [&](const std::string& why) -> Result<OutputSpec> {
        return Error{ErrorKind::InvalidArgument,
                     "invalid --output \"" + std::string(text) + "\": " + why,
                     {},
                     {},
                     "use oci:DIR or oci:DIR:TAG"};
    };
    if (colon == std::string_view::npos) return bad("missing the output type");
    if (kind != "oci") return bad("unsupported output type \"" + std::string(kind) + "\"");
    std::string_view rest = text.substr(colon + 1);
    OutputSpec spec;
    // DIR may itself contain ':' only if a TAG follows; the last ':' separates the tag, as in skopeo.
    if (auto last = rest.rfind(':'); last != std::string_view::npos) {
        spec.tag = std::string(rest.substr(last + 1));
        rest = rest.substr(0, last);
        if (spec.tag.empty()) return bad("empty tag after ':'");
    }
    if (rest.empty()) return bad("missing directory");
    spec.path = std::string(rest);
    return spec;
}

}  // namespace boxtool
