#include "trust/signature_payload.hpp"

#include <cmath>

#include "trust/strict_json.hpp"

namespace boxtool::trust {

SignedClaims parse_signature_payload(std::string_view json, PayloadKind kind) {
    if (json.size() > 4 * 1024 * 1024) throw JsonError("the signature payload is larger than 4 MiB");
    Json root = parse_json(json);
    StrictObject top(root, "the signature payload");
    const Json& critical = top.require("critical");
    const Json& optional = top.require("optional");
    top.finish();

    SignedClaims out;
    // cosign writes "optional": null when there is nothing optional to say.
    if (!(kind == PayloadKind::Sigstore && optional.is(Json::Type::Null))) {
        StrictObject o(optional, "\"optional\"");
        bool present = false;
        std::string creator = o.string("creator", &present);
        if (present) out.creator = creator;
        if (const Json* ts = o.find("timestamp")) {
            if (!ts->is(Json::Type::Number)) o.fail("\"timestamp\" must be a number");
            double whole = 0;
            if (std::modf(ts->number, &whole) != 0 || std::fabs(ts->number) > 9.0e18)
                o.fail("\"timestamp\" is not an integer");
            out.timestamp = static_cast<std::int64_t>(ts->number);
        }
        // Other optional members are allowed and ignored: they are not part of what is checked.
        for (const auto& member : optional.members) o.find(member.first);
    }

    StrictObject c(critical, "\"critical\"");
    std::string type = c.required_string("type");
    const Json& image = c.require("image");
    const Json& identity = c.require("identity");
    c.finish();
    const char* expected = kind == PayloadKind::SimpleSigning ? "atomic container signature"
                                                              : "cosign container image signature";
    if (type != expected)
        throw JsonError("unrecognized signature type \"" + type + "\" (expected \"" + expected + "\")");

    StrictObject i(image, "\"critical.image\"");
    std::string digest = i.required_string("docker-manifest-digest");
    i.finish();
    auto parsed = parse_digest(digest);
    if (!parsed)
        throw JsonError("invalid docker-manifest-digest \"" + digest + "\": " + parsed.error().message);
    out.manifest_digest = *parsed;

    StrictObject id(identity, "\"critical.identity\"");
    out.docker_reference = id.required_string("docker-reference");
    id.finish();
    return out;
}

}  // namespace boxtool::trust
