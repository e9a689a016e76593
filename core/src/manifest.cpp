#include "boxtool/manifest.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>
#include <typeinfo>

#include "boxtool/digest.hpp"
#include "grammar.hpp"

namespace boxtool {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Failure bad(const std::string& why) {
    return Failure(
        ErrorKind::InvalidManifest, "invalid manifest: " + why,
        "the registry served a document boxtool cannot use; check that the reference names an image");
}

Object::Ptr parse_object(std::string_view json) {
    if (json.size() > kMaxManifestBytes) throw bad("larger than 4 MiB");
    try {
        Poco::JSON::Parser parser;
        auto v = parser.parse(std::string(json));
        auto obj = v.extract<Object::Ptr>();
        if (!obj) throw bad("not a JSON object");
        return obj;
    } catch (const Failure&) {
        throw;
    } catch (const Poco::Exception& e) {
        throw bad("malformed JSON: " + e.displayText());
    } catch (const std::exception& e) {
        throw bad(std::string("malformed JSON: ") + e.what());
    }
}

std::string get_string(const Object::Ptr& o, const std::string& key, bool required,
                       const std::string& where) {
    if (!o->has(key) || o->isNull(key)) {
        if (required) throw bad(where + " has no \"" + key + "\"");
        return {};
    }
    auto v = o->get(key);
    if (!v.isString()) throw bad(where + ": \"" + key + "\" is not a string");
    return v.convert<std::string>();
}

Descriptor parse_descriptor(const Object::Ptr& o, const std::string& where) {
    if (!o) throw bad(where + " is not an object");
    Descriptor d;
    d.media_type = get_string(o, "mediaType", true, where);
    auto digest = parse_digest(get_string(o, "digest", true, where));
    if (!digest) throw bad(where + ": " + digest.error().message);
    d.digest = std::move(*digest);
    if (!o->has("size")) throw bad(where + " has no \"size\"");
    auto size = o->get("size");
    // Poco counts a JSON boolean as an integer; a size of "true" is not a size.
    if (!size.isInteger() || size.type() == typeid(bool)) throw bad(where + ": \"size\" is not an integer");
    auto n = size.convert<Poco::Int64>();
    if (n < 0) throw bad(where + ": negative size");
    d.size = static_cast<std::uint64_t>(n);
    if (o->has("platform") && !o->isNull("platform")) {
        auto p = o->getObject("platform");
        if (!p) throw bad(where + ": \"platform\" is not an object");
        d.platform = Platform{get_string(p, "os", true, where + ".platform"),
                              get_string(p, "architecture", true, where + ".platform"),
                              get_string(p, "variant", false, where + ".platform")};
    }
    if (o->has("annotations") && !o->isNull("annotations")) {
        auto a = o->getObject("annotations");
        if (!a) throw bad(where + ": \"annotations\" is not an object");
        for (const auto& [k, v] : *a)
            if (v.isString()) d.annotations[k] = v.convert<std::string>();
    }
    return d;
}

void check_schema_version(const Object::Ptr& o) {
    if (!o->has("schemaVersion")) throw bad("no schemaVersion");
    auto v = o->get("schemaVersion");
    if (!v.isInteger() || v.type() == typeid(bool) || v.convert<int>() != 2)
        throw bad("schemaVersion " + v.toString() + " is not supported (only schema 2 images can be pulled)");
}

}  // namespace

bool is_index_media_type(std::string_view m) {
    return m == media_type::kOciIndex || m == media_type::kDockerManifestList;
}

bool is_manifest_media_type(std::string_view m) {
    return m == media_type::kOciManifest || m == media_type::kDockerManifest;
}

std::string detect_media_type(std::string_view json, std::string_view content_type) {
    std::string ct(content_type.substr(0, content_type.find(';')));
    while (!ct.empty() && ct.back() == ' ') ct.pop_back();
    Object::Ptr obj;
    std::string declared;
    try {
        obj = parse_object(json);
        declared = get_string(obj, "mediaType", false, "manifest");
    } catch (const Failure&) {
        return ct;  // not JSON: the parsers report that properly
    }
    if (!declared.empty()) return declared;
    if (is_index_media_type(ct) || is_manifest_media_type(ct)) return ct;
    // OCI allows omitting mediaType; the shape tells which document it is.
    if (obj->has("manifests")) return std::string(media_type::kOciIndex);
    if (obj->has("config")) return std::string(media_type::kOciManifest);
    return ct;
}

Result<Index> parse_index(std::string_view json, std::string_view content_type) {
    try {
        auto obj = parse_object(json);
        check_schema_version(obj);
        Index idx;
        idx.media_type = detect_media_type(json, content_type);
        if (!is_index_media_type(idx.media_type))
            throw bad("media type " + idx.media_type + " is not an index");
        auto arr = obj->getArray("manifests");
        if (!arr) throw bad("index has no \"manifests\" array");
        for (std::size_t i = 0; i < arr->size(); ++i)
            idx.manifests.push_back(parse_descriptor(arr->getObject(static_cast<unsigned>(i)),
                                                     "manifests[" + std::to_string(i) + "]"));
        return idx;
    } catch (const Failure& f) {
        return f.error();
    } catch (const Poco::Exception& e) {
        return bad(e.displayText()).error();
    }
}

Result<Manifest> parse_manifest(std::string_view json, std::string_view content_type) {
    try {
        auto obj = parse_object(json);
        check_schema_version(obj);
        Manifest m;
        m.media_type = detect_media_type(json, content_type);
        if (!is_manifest_media_type(m.media_type))
            throw bad("media type " + m.media_type + " is not an image manifest");
        if (!obj->has("config")) throw bad("no \"config\"");
        m.config = parse_descriptor(obj->getObject("config"), "config");
        auto arr = obj->getArray("layers");
        if (!arr) throw bad("no \"layers\" array");
        for (std::size_t i = 0; i < arr->size(); ++i)
            m.layers.push_back(parse_descriptor(arr->getObject(static_cast<unsigned>(i)),
                                                "layers[" + std::to_string(i) + "]"));
        return m;
    } catch (const Failure& f) {
        return f.error();
    } catch (const Poco::Exception& e) {
        return bad(e.displayText()).error();
    }
}

std::vector<Descriptor> blobs_of(const Manifest& manifest) {
    std::vector<Descriptor> out{manifest.config};
    std::set<Digest> seen{manifest.config.digest};
    for (const auto& layer : manifest.layers)
        if (seen.insert(layer.digest).second) out.push_back(layer);
    return out;
}

Result<Descriptor> select_platform(const Index& index, const Platform& wanted) {
    const Descriptor* best = nullptr;
    int best_score = 0;
    std::string available;
    for (const auto& d : index.manifests) {
        if (!d.platform || !is_manifest_media_type(d.media_type)) continue;
        // Attestation manifests (buildkit) carry platform unknown/unknown: not an image to run.
        if (d.platform->os == "unknown") continue;
        if (!available.empty()) available += ", ";
        available += normalize_platform(*d.platform).str();
        int score = platform_match_score(wanted, *d.platform);
        if (score > best_score) best = &d, best_score = score;
    }
    if (best) return *best;
    return Error{ErrorKind::NoMatchingPlatform,
                 "no manifest for platform " + wanted.str() +
                     " in the image index; available: " + (available.empty() ? "none" : available),
                 {},
                 {},
                 "choose one of the available platforms with --platform OS/ARCH[/VARIANT]"};
}

}  // namespace boxtool
