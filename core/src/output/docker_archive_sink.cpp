#include "output/docker_archive_sink.hpp"

#include "output/archive_outputs.hpp"

namespace boxtool::output {

Result<OutputReport> DockerArchiveSink::finish() {
    const ResolvedImage& image = *image_;
    const Reference& ref = image.reference;
    std::vector<std::string> repo_tags;
    std::string tag = spec_.tag.empty() ? ref.tag.value_or("") : spec_.tag;
    std::string name = spec_.name.empty() ? ref.registry + "/" + ref.repository : spec_.name;
    if (!tag.empty()) repo_tags.push_back(name + ":" + tag);  // none for a pull by digest
    auto on_layer = [&](std::size_t i, bool done) {
        ProgressEvent e;
        e.type = done ? ProgressEvent::Type::LayerUnpacked : ProgressEvent::Type::LayerUnpacking;
        e.digest = image.manifest.layers[i].digest;
        e.media_type = image.manifest.layers[i].media_type;
        e.total = image.manifest.layers[i].size;
        context_->report(std::move(e));
    };
    auto written = as_result(image, [&] {
        write_docker_archive(blobs_, spec_.path, image.manifest, repo_tags, spec_.limits, on_layer);
    });
    if (!written) return std::move(written).error();
    OutputReport report;
    report.ref_name = repo_tags.empty() ? "" : repo_tags.front();
    report.where = to_string(spec_);
    return report;
}

}  // namespace boxtool::output
