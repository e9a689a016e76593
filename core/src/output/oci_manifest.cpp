#include "output/oci_manifest.hpp"

#include "util/json_text.hpp"

namespace boxtool::output {

std::string oci_media_type_for(std::string_view m) {
    using namespace media_type;
    if (m == kDockerConfig) return std::string(kOciConfig);
    if (m == kDockerLayerGzip) return std::string(kOciLayerGzip);
    if (m == kDockerLayer) return std::string(kOciLayer);
    if (m == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip")
        return "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    if (m == kDockerManifest) return std::string(kOciManifest);
    return std::string(m);
}

namespace {
std::string descriptor_json(const Descriptor& d) {
    std::string out = "{\"mediaType\":" + util::json_quote(oci_media_type_for(d.media_type)) +
                      ",\"digest\":" + util::json_quote(d.digest.str()) +
                      ",\"size\":" + std::to_string(d.size);
    if (!d.annotations.empty()) {
        out += ",\"annotations\":{";
        bool first = true;
        for (const auto& [k, v] : d.annotations) {
            out += (first ? "" : ",") + util::json_quote(k) + ":" + util::json_quote(v);
            first = false;
        }
        out += "}";
    }
    return out + "}";
}
}  // namespace

std::string to_oci_manifest_json(const Manifest& m) {
    std::string out = "{\"schemaVersion\":2,\"mediaType\":" + util::json_quote(media_type::kOciManifest) +
                      ",\"config\":" + descriptor_json(m.config) + ",\"layers\":[";
    for (std::size_t i = 0; i < m.layers.size(); ++i) out += (i ? "," : "") + descriptor_json(m.layers[i]);
    return out + "]}";
}

}  // namespace boxtool::output
