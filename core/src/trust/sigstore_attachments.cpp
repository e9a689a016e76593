#include "trust/sigstore_attachments.hpp"

#include <set>

#include "boxtool/manifest.hpp"
#include "trust/lookaside.hpp"
#include "trust/strict_json.hpp"
#include "util/stopping.hpp"

namespace boxtool::trust {
namespace {

// Bounds against a bloated or hostile registry, as containers/image sets them.
constexpr std::size_t kMaxReferrersScanned = 1024;
constexpr std::size_t kMaxReferrersFetched = 64;
constexpr std::size_t kMaxReferrerLayers = 512;
constexpr std::size_t kMaxReferrersIndexBytes = 4 * 1024 * 1024;

const Json* member(const Json& object, std::string_view key) {
    for (const auto& [name, value] : object.members)
        if (name == key) return &value;
    return nullptr;
}

std::string string_member(const Json& object, std::string_view key) {
    const Json* v = member(object, key);
    return v && v->is(Json::Type::String) ? v->text : std::string();
}

// One layer's bytes, at most 4 MiB, checked against its digest.
std::string fetch_layer(registry::RegistrySession& session, const Reference& source,
                        const AttachmentLayer& layer, const std::string& origin,
                        const std::stop_token& stop) {
    if (layer.size > kMaxSignatureBytes)
        throw Failure(Error{ErrorKind::InvalidManifest,
                            "sigstore signature " + origin + " declares " + std::to_string(layer.size) +
                                " bytes; signatures larger than 4 MiB are refused",
                            source.registry, source.repository,
                            "the signature manifest is broken or hostile"});
    Descriptor d;
    d.media_type = layer.media_type;
    d.digest = layer.digest;
    d.size = layer.size;
    std::string body;
    Hasher hasher(layer.digest.algorithm);
    session.get_blob(
        source.repository, d, 0, [](const http::Response&) {},
        [&](const char* data, std::size_t size) {
            if (body.size() + size > layer.size)
                throw Failure(Error{ErrorKind::SizeMismatch,
                                    "sigstore signature " + origin + " is longer than the " +
                                        std::to_string(layer.size) + " bytes its manifest declares",
                                    source.registry, source.repository, "the registry is broken or hostile"});
            body.append(data, size);
            hasher.update(data, size);
        },
        stop);
    if (body.size() != layer.size || hasher.finish() != layer.digest)
        throw Failure(
            Error{ErrorKind::DigestMismatch,
                  "sigstore signature " + origin + " does not match its digest " + layer.digest.str(),
                  source.registry, source.repository,
                  "the registry or something in between altered it; do not trust it"});
    return body;
}

void add_layers(registry::RegistrySession& session, const Reference& source, const std::string& where,
                const std::vector<AttachmentLayer>& layers, std::size_t limit, const std::stop_token& stop,
                bool skip_failures, std::vector<ImageSignature>& out) {
    for (std::size_t i = 0; i < layers.size() && i < limit; ++i) {
        util::throw_if_stopped(stop);
        ImageSignature s;
        s.format = ImageSignature::Format::Sigstore;
        s.origin = where + " layer " + std::to_string(i + 1);
        s.media_type = layers[i].media_type;
        s.annotations = layers[i].annotations;
        try {
            s.blob = fetch_layer(session, source, layers[i], s.origin, stop);
        } catch (const Failure& f) {
            if (!skip_failures || f.error().kind == ErrorKind::Cancelled) throw;
            continue;
        }
        out.push_back(std::move(s));
    }
}

}  // namespace

std::string sigstore_tag(const Digest& manifest) {
    return manifest.algorithm + "-" + manifest.hex + ".sig";
}

std::vector<ImageSignature> read_sigstore_attachments(registry::RegistrySession& session,
                                                      const Reference& source, const Digest& manifest,
                                                      const std::stop_token& stop) {
    std::vector<ImageSignature> out;
    const std::string tag = sigstore_tag(manifest);
    const std::string tag_name = source.name() + ":" + tag;

    // 1. The tag cosign and containers/image write.
    std::optional<registry::FetchedManifest> tagged;
    try {
        tagged = session.get_manifest(source.repository, tag);
    } catch (const Failure& f) {
        ErrorKind k = f.error().kind;
        if (k != ErrorKind::ManifestUnknown && k != ErrorKind::NameUnknown) throw;
    }
    if (tagged) {
        if (tagged->media_type != media_type::kOciManifest)
            throw Failure(Error{ErrorKind::InvalidManifest,
                                "the sigstore signature tag " + tag_name + " is a \"" + tagged->media_type +
                                    "\", not an OCI image manifest",
                                source.registry, source.repository,
                                "the signature was stored by a broken tool"});
        std::vector<AttachmentLayer> layers;
        try {
            layers = parse_attachment_manifest(tagged->body);
        } catch (const JsonError& e) {
            throw Failure(Error{ErrorKind::InvalidManifest,
                                "the sigstore signature tag " + tag_name + ": " + e.what(), source.registry,
                                source.repository, "the signature manifest is broken or hostile"});
        }
        add_layers(session, source, tag_name, layers, kMaxAttachmentLayers, stop, false, out);
    }

    // 2. The referrers API, where the registry has it.
    if (auto index = session.get_referrers(source.repository, manifest, kMaxReferrersIndexBytes)) {
        std::vector<Json> entries;
        try {
            Json root = parse_json(*index);
            if (const Json* m = member(root, "manifests"); m && m->is(Json::Type::Array)) entries = m->items;
        } catch (const JsonError&) {
            entries.clear();  // an unreadable list hides nothing that the policy could accept
        }
        std::size_t fetched = 0, layers_left = kMaxReferrerLayers;
        for (std::size_t i = 0; i < entries.size() && i < kMaxReferrersScanned; ++i) {
            if (fetched >= kMaxReferrersFetched || layers_left == 0) break;
            const Json& e = entries[i];
            if (!e.is(Json::Type::Object)) continue;
            std::string artifact = string_member(e, "artifactType");
            bool sigstore = artifact.empty() || artifact.rfind("application/vnd.dev.cosign.", 0) == 0 ||
                            artifact.rfind("application/vnd.dev.sigstore.", 0) == 0;
            auto digest = parse_digest(string_member(e, "digest"));
            if (!sigstore || !digest) continue;
            ++fetched;
            std::vector<AttachmentLayer> layers;
            try {
                auto m = session.get_manifest(source.repository, digest->str());
                if (m.media_type != media_type::kOciManifest) continue;
                layers = parse_attachment_manifest(m.body);
            } catch (const Failure& f) {
                if (f.error().kind == ErrorKind::Cancelled) throw;
                continue;
            } catch (const JsonError&) {
                continue;
            }
            std::size_t take = std::min(layers.size(), layers_left);
            layers_left -= take;
            add_layers(session, source, source.name() + "@" + digest->str() + " (referrer)", layers, take,
                       stop, true, out);
        }
    }

    // The same signature may be both tagged and a referrer.
    std::set<std::string> seen;
    std::vector<ImageSignature> unique;
    for (auto& s : out) {
        std::string key = s.blob + '\0' + s.media_type;
        for (const auto& [k, v] : s.annotations) key += '\0' + k + '\0' + v;
        if (seen.insert(digest_of(key).hex).second) unique.push_back(std::move(s));
    }
    return unique;
}

}  // namespace boxtool::trust
