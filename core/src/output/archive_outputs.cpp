#include "output/archive_outputs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "output/image_config.hpp"
#include "output/layer_reader.hpp"
#include "output/tar_file_writer.hpp"
#include "util/json_text.hpp"
#include "util/temp_path.hpp"

namespace boxtool::output {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kChunk = 256 * 1024;
constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

std::string json_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + util::json_quote(items[i]);
    return out + "]";
}

// Decompresses a layer into `out`, checking magic bytes, limits and its diff_id.
void decompress_to_file(const fs::path& blob, const Descriptor& layer, const Digest& diff_id,
                        UnpackBudget& budget, const std::string& label, const fs::path& out) {
    DecompressedLayer stream(blob, layer.media_type, diff_id, budget, label);
    int fd = ::open(out.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) throw Failure(ErrorKind::Io, "cannot create " + out.string() + ": " + std::strerror(errno));
    std::unique_ptr<char[]> buf(new char[kChunk]);
    try {
        while (std::size_t n = stream.read(buf.get(), kChunk)) {
            const char* p = buf.get();
            while (n > 0) {
                ssize_t w = ::write(fd, p, n);
                if (w < 0 && errno == EINTR) continue;
                if (w < 0)
                    throw Failure(ErrorKind::Io, "cannot write " + out.string() + ": " + std::strerror(errno),
                                  "check free space beside the archive");
                p += w;
                n -= static_cast<std::size_t>(w);
            }
        }
        stream.finish();
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
}

// "registry/repo:tag" -> {"registry/repo", "tag"}; the ':' of a registry port is not a tag's.
std::pair<std::string, std::string> split_repo_tag(const std::string& repo_tag) {
    auto colon = repo_tag.rfind(':');
    if (colon == std::string::npos || repo_tag.find('/', colon) != std::string::npos)
        return {repo_tag, "latest"};
    return {repo_tag.substr(0, colon), repo_tag.substr(colon + 1)};
}

}  // namespace

void write_oci_archive(const fs::path& file, const LayoutImage& image) {
    TarFileWriter tar(file);
    tar.add_bytes("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}\n");
    std::string entry = "{\"mediaType\":" + util::json_quote(image.manifest_media_type) +
                        ",\"digest\":" + util::json_quote(image.manifest_digest.str()) +
                        ",\"size\":" + std::to_string(image.manifest_bytes.size());
    if (!image.ref_name.empty())
        entry += std::string(",\"annotations\":{\"") + kRefNameAnnotation +
                 "\":" + util::json_quote(image.ref_name) + "}";
    entry += "}";
    tar.add_bytes(
        "index.json",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" +
            entry + "]}\n");
    tar.add_directory("blobs/");
    std::set<std::string> algorithms;
    std::set<Digest> written;
    for (const auto& [d, path] : image.blobs) {
        if (algorithms.insert(d.algorithm).second) tar.add_directory("blobs/" + d.algorithm + "/");
        if (written.insert(d).second) tar.add_file("blobs/" + d.algorithm + "/" + d.hex, path);
    }
    const Digest& md = image.manifest_digest;
    if (algorithms.insert(md.algorithm).second) tar.add_directory("blobs/" + md.algorithm + "/");
    if (written.insert(md).second)
        tar.add_bytes("blobs/" + md.algorithm + "/" + md.hex, image.manifest_bytes);
    tar.commit();
}

void write_docker_archive(const BlobFiles& blobs, const fs::path& file, const Manifest& manifest,
                          const std::vector<std::string>& repo_tags, const UnpackLimits& limits,
                          const std::function<void(std::size_t, bool)>& on_layer) {
    const std::vector<Digest> diff_ids = read_diff_ids(blobs, manifest);
    const Digest& config = manifest.config.digest;
    TarFileWriter tar(file);
    // Decompressed layers wait in a private directory beside the archive: a tar entry needs its
    // size before its bytes, and a compressed blob does not say how large it will become.
    util::TempPathGuard scratch(util::sibling_temp_path(fs::absolute(file).lexically_normal()));
    if (::mkdir(scratch.path().c_str(), 0700) != 0)
        throw Failure(ErrorKind::Io, "cannot create " + scratch.path().string() + ": " + std::strerror(errno),
                      "check that the archive's directory is writable");

    std::string config_name = config.hex + ".json";
    tar.add_file(config_name, blobs.path(config));
    UnpackBudget budget(limits);
    std::vector<std::string> layer_names;
    std::set<std::string> written;
    for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
        const Descriptor& layer = manifest.layers[i];
        std::string name = diff_ids[i].hex + ".tar";
        layer_names.push_back(name);
        if (!written.insert(name).second) continue;
        std::string label = "layer " + std::to_string(i + 1) + " (" + layer.digest.str() + ")";
        fs::path tmp = scratch.path() / name;
        if (on_layer) on_layer(i, false);
        decompress_to_file(blobs.path(layer.digest), layer, diff_ids[i], budget, label, tmp);
        tar.add_file(name, tmp);
        fs::remove(tmp);
        if (on_layer) on_layer(i, true);
    }

    std::string manifest_json = "[{\"Config\":" + util::json_quote(config_name) +
                                ",\"RepoTags\":" + json_array(repo_tags) +
                                ",\"Layers\":" + json_array(layer_names) + "}]\n";
    tar.add_bytes("manifest.json", manifest_json);
    // The legacy index `docker load` falls back to: repository -> tag -> top layer id.
    std::map<std::string, std::map<std::string, std::string>> repos;
    for (const auto& rt : repo_tags) {
        auto [repo, tag] = split_repo_tag(rt);
        repos[repo][tag] = diff_ids.empty() ? config.hex : diff_ids.back().hex;
    }
    std::string repositories = "{";
    bool first_repo = true;
    for (const auto& [repo, tags] : repos) {
        repositories += std::string(first_repo ? "" : ",") + util::json_quote(repo) + ":{";
        bool first_tag = true;
        for (const auto& [tag, id] : tags) {
            repositories +=
                std::string(first_tag ? "" : ",") + util::json_quote(tag) + ":" + util::json_quote(id);
            first_tag = false;
        }
        repositories += "}";
        first_repo = false;
    }
    tar.add_bytes("repositories", repositories + "}\n");
    tar.commit();
}

}  // namespace boxtool::output
