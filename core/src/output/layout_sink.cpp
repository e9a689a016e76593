#include "output/layout_sink.hpp"

#include "output/archive_outputs.hpp"
#include "output/oci_layout.hpp"
#include "output/oci_manifest.hpp"

namespace boxtool::output {

Result<OutputReport> LayoutSink::finish() {
    const ResolvedImage& image = *image_;
    LayoutImage layout{image.manifest.media_type, image.manifest_digest, image.manifest_bytes, {}, spec_.tag};
    OutputReport report;
    if (layout.ref_name.empty() && image.reference.tag) layout.ref_name = *image.reference.tag;
    if (layout.manifest_media_type == media_type::kDockerManifest) {
        layout.manifest_bytes = to_oci_manifest_json(image.manifest);
        layout.manifest_digest = digest_of(layout.manifest_bytes);
        layout.manifest_media_type = std::string(media_type::kOciManifest);
        report.written_manifest = layout.manifest_digest;
    }
    auto written = as_result(image, [&] {
        for (const auto& blob : blobs_of(image.manifest))
            layout.blobs.emplace_back(blob.digest, blobs_.path(blob.digest));
        if (spec_.kind == OutputSpec::Kind::OciArchive)
            write_oci_archive(spec_.path, layout);
        else
            write_oci_layout(spec_.path, layout);
    });
    if (!written) return std::move(written).error();
    report.ref_name = layout.ref_name;
    std::string kind = spec_.kind == OutputSpec::Kind::OciArchive ? "oci-archive:" : "oci:";
    report.where = kind + spec_.path.string() + (layout.ref_name.empty() ? "" : ":" + layout.ref_name);
    return report;
}

}  // namespace boxtool::output
