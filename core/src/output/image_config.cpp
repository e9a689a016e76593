#include "output/image_config.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "util/verified_file.hpp"

namespace boxtool::output {
namespace {
constexpr std::size_t kMaxConfigBytes = 16 * 1024 * 1024;

Failure bad_config(const std::string& why) {
    return Failure(ErrorKind::InvalidManifest, "cannot unpack the image: its config " + why,
                   "the image is malformed; rebuild it or pull it with --output oci:DIR");
}
}  // namespace

std::vector<Digest> read_diff_ids(const BlobFiles& blobs, const Manifest& manifest) {
    const Digest& config = manifest.config.digest;
    auto text = util::read_verified_file(blobs.path(config), config, kMaxConfigBytes);
    if (!text) throw bad_config("is missing from the store, altered, or larger than 16 MiB");
    std::vector<Digest> out;
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(*text).extract<Poco::JSON::Object::Ptr>();
        auto rootfs = obj ? obj->getObject("rootfs") : nullptr;
        auto ids = rootfs ? rootfs->getArray("diff_ids") : nullptr;
        if (!ids) throw bad_config("has no rootfs.diff_ids");
        for (std::size_t i = 0; i < ids->size(); ++i) {
            auto d = parse_digest(ids->getElement<std::string>(static_cast<unsigned>(i)));
            if (!d) throw bad_config("has an invalid diff_id: " + d.error().message);
            out.push_back(*d);
        }
    } catch (const Failure&) {
        throw;
    } catch (const std::exception& e) {
        throw bad_config(std::string("is not valid JSON: ") + e.what());
    }
    if (out.size() != manifest.layers.size())
        throw bad_config("lists " + std::to_string(out.size()) + " diff_ids for " +
                         std::to_string(manifest.layers.size()) + " layers");
    return out;
}

}  // namespace boxtool::output
