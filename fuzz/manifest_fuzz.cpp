// Manifests, indexes and image configs as a registry might serve them. The first line is the
// Content-Type the registry sent, the rest the document.
#include <fstream>

#include "boxtool/manifest.hpp"
#include "grammar.hpp"
#include "fuzz_support.hpp"
#include "output/blob_files.hpp"
#include "output/image_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace boxtool;
    auto parts = fuzz::split(fuzz::text(data, size), '\n', 2);
    const std::string& type = parts[0];
    const std::string& doc = parts[1];
    (void)detect_media_type(doc, type);
    if (auto m = parse_manifest(doc, type)) {
        (void)blobs_of(*m);
        // The same bytes as this manifest's config: what unpacking reads its diff_ids from.
        Manifest with_config = *m;
        with_config.config.digest = digest_of(doc);
        auto path = fuzz::scratch() / "config";
        std::ofstream(path, std::ios::binary | std::ios::trunc) << doc;
        output::BlobFiles blobs;
        blobs.add(StoredBlob{with_config.config, path, false});
        try {
            (void)output::read_diff_ids(blobs, with_config);
        } catch (const Failure&) {
        }
    }
    if (auto index = parse_index(doc, type)) {
        (void)select_platform(*index, Platform{"linux", "amd64", ""});
        (void)select_platform(*index, Platform{"linux", "arm", "v7"});
    }
    return 0;
}
