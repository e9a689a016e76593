#include "trust/attachment_manifest.hpp"

#include "boxtool/manifest.hpp"
#include "trust/strict_json.hpp"

namespace boxtool::trust {
namespace {

const Json* member(const Json& object, std::string_view key) {
    for (const auto& [name, value] : object.members)
        if (name == key) return &value;
    return nullptr;
}

std::string string_member(const Json& object, std::string_view key) {
    const Json* v = member(object, key);
    return v && v->is(Json::Type::String) ? v->text : std::string();
}

}  // namespace

std::vector<AttachmentLayer> parse_attachment_manifest(std::string_view json) {
    Json root = parse_json(json);
    if (!root.is(Json::Type::Object)) throw JsonError("the signature manifest is not a JSON object");
    std::string media_type = string_member(root, "mediaType");
    if (!media_type.empty() && media_type != media_type::kOciManifest)
        throw JsonError("the signature manifest has media type \"" + media_type + "\", not an OCI manifest");
    const Json* layers = member(root, "layers");
    if (!layers || !layers->is(Json::Type::Array))
        throw JsonError("the signature manifest has no \"layers\" array");
    if (layers->items.size() > kMaxAttachmentLayers)
        throw JsonError("the signature manifest lists " + std::to_string(layers->items.size()) +
                        " layers; more than 128 are refused");
    std::vector<AttachmentLayer> out;
    for (std::size_t i = 0; i < layers->items.size(); ++i) {
        const Json& l = layers->items[i];
        std::string where = "layer " + std::to_string(i + 1);
        if (!l.is(Json::Type::Object)) throw JsonError(where + " is not an object");
        AttachmentLayer a;
        a.media_type = string_member(l, "mediaType");
        auto digest = parse_digest(string_member(l, "digest"));
        if (!digest) throw JsonError(where + " has no valid digest");
        a.digest = *digest;
        const Json* size = member(l, "size");
        if (!size || !size->is(Json::Type::Number) || !size->integral || size->number < 0 ||
            size->number > 1e15)
            throw JsonError(where + " has no valid size");
        a.size = static_cast<std::uint64_t>(size->number);
        if (const Json* ann = member(l, "annotations")) {
            if (!ann->is(Json::Type::Object)) throw JsonError(where + ": \"annotations\" is not an object");
            for (const auto& [k, v] : ann->members) {
                if (!v.is(Json::Type::String))
                    throw JsonError(where + ": annotation \"" + k + "\" is not a string");
                a.annotations[k] = v.text;
            }
        }
        out.push_back(std::move(a));
    }
    return out;
}

}  // namespace boxtool::trust
