#include "pull/resolver.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "grammar.hpp"

namespace boxtool::pull {

Error with_location(Error e, const Reference& ref) {
    e.registry = ref.registry;
    e.repository = ref.repository;
    return e;
}

namespace {

constexpr std::size_t kMaxConfigBytes = 8 * 1024 * 1024;

std::optional<Platform> platform_in_config(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
        if (!obj || !obj->has("os") || !obj->has("architecture")) return std::nullopt;
        Platform p{obj->getValue<std::string>("os"), obj->getValue<std::string>("architecture"),
                   obj->has("variant") ? obj->getValue<std::string>("variant") : ""};
        return normalize_platform(p);
    } catch (...) {
        return std::nullopt;
    }
}

}  // namespace

Resolution resolve(std::unique_ptr<registry::RegistrySession> session, const Candidate& cand,
                   const Platform& platform, const Store* store, const ResolveWants& wants) {
    const bool keep = wants.keep && store;
    Resolution r;
    r.candidate = cand;
    r.session = std::move(session);
    const Reference& ref = cand.reference;
    auto top = r.session->get_manifest(ref.repository, ref.version());
    r.digest = top.digest;
    r.media_type = top.media_type;
    if (wants.top_body) r.top_body = top.body;
    if (is_index_media_type(top.media_type)) {
        auto index = parse_index(top.body, top.media_type);
        if (!index) throw Failure(with_location(index.error(), ref));
        auto chosen = select_platform(*index, platform);
        if (!chosen) throw Failure(with_location(chosen.error(), ref));
        r.index = *index;
        r.index_body = std::move(top.body);
        r.platform = chosen->platform ? std::optional(normalize_platform(*chosen->platform)) : std::nullopt;
        std::optional<std::string> stored =
            store ? store->read_small(chosen->digest, kMaxManifestBytes) : std::nullopt;
        auto m = stored ? registry::FetchedManifest{std::move(*stored), chosen->media_type, chosen->digest}
                        : r.session->get_manifest(ref.repository, chosen->digest.str());
        if (m.body.size() != chosen->size)
            throw Failure(Error{ErrorKind::SizeMismatch,
                                "manifest " + chosen->digest.str() + " has " + std::to_string(m.body.size()) +
                                    " bytes but the index says " + std::to_string(chosen->size),
                                ref.registry, ref.repository, "the registry's index is inconsistent"});
        r.manifest_digest = m.digest;
        r.manifest_body = std::move(m.body);
    } else if (is_manifest_media_type(top.media_type)) {
        r.manifest_digest = top.digest;
        r.manifest_body = std::move(top.body);
    } else {
        throw Failure(
            Error{ErrorKind::InvalidManifest,
                  "unsupported manifest type \"" + top.media_type + "\" for " + ref.str(), ref.registry,
                  ref.repository,
                  "boxtool pulls OCI and Docker schema 2 images; schema 1 images must be converted"});
    }
    auto manifest = parse_manifest(r.manifest_body, "");
    if (!manifest) throw Failure(with_location(manifest.error(), ref));
    r.manifest = *manifest;
    const bool single = !r.index;
    if (wants.config || (wants.check_platform && single)) {
        std::optional<std::string> stored =
            store ? store->read_small(r.manifest.config.digest, kMaxConfigBytes) : std::nullopt;
        r.config_body = stored
                            ? std::move(*stored)
                            : r.session->get_small_blob(ref.repository, r.manifest.config, kMaxConfigBytes);
    }
    // A single-platform image names its platform only in its config: one asked for explicitly
    // must match it, as it must match an index entry, rather than pulling another one silently.
    if (single && !r.config_body.empty()) {
        if (auto declared = platform_in_config(r.config_body)) {
            r.platform = declared;
            if (wants.check_platform && platform_match_score(platform, *declared) == 0)
                throw Failure(Error{ErrorKind::NoMatchingPlatform,
                                    "no manifest for platform " + normalize_platform(platform).str() +
                                        " in " + ref.str() + ": it is a single-platform image for " +
                                        declared->str() + "; available: " + declared->str(),
                                    ref.registry, ref.repository,
                                    "choose the image's platform with --platform " + declared->str() +
                                        ", or leave --platform out"});
        }
    }
    if (keep) keep_documents(*store, r);
    return r;
}

void keep_documents(const Store& store, const Resolution& r) {
    if (r.index) store.put(r.digest, r.index_body);
    store.put(r.manifest_digest, r.manifest_body);
}

std::optional<Platform> platform_from_config(const Store& store, const Descriptor& config) {
    auto text = store.read_small(config.digest, kMaxManifestBytes);
    if (!text) return std::nullopt;
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(*text).extract<Poco::JSON::Object::Ptr>();
        if (!obj || !obj->has("os") || !obj->has("architecture")) return std::nullopt;
        Platform p{obj->getValue<std::string>("os"), obj->getValue<std::string>("architecture"),
                   obj->has("variant") ? obj->getValue<std::string>("variant") : ""};
        return normalize_platform(p);
    } catch (...) {
        return std::nullopt;  // a config without a readable platform is still a pullable image
    }
}

}  // namespace boxtool::pull
