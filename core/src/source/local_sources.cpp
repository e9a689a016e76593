// Local image sources: an OCI layout, and the two archive formats unpacked into a scratch folder.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "grammar.hpp"
#include "source/image_source.hpp"

namespace boxtool::source {
namespace {

[[noreturn]] void bad_source(const std::string& source, const std::string& what,
                             const std::string& hint = {}) {
    throw Failure(Error{ErrorKind::InvalidArgument,
                        "cannot read image " + source + ": " + what,
                        {},
                        {},
                        hint.empty() ? "check the path and that it holds what the transport says" : hint});
}

std::filesystem::path blob_path_in(const std::filesystem::path& layout, const Digest& d) {
    return layout / "blobs" / d.algorithm / d.hex;
}

// An OCI image layout on disk.
class LayoutSource final : public ImageSource {
  public:
    LayoutSource(std::filesystem::path dir, std::string tag, std::string name)
        : dir_(std::move(dir)), tag_(std::move(tag)), name_(std::move(name)) {}

    std::string describe() const override { return name_; }

    RootDocument root() override {
        std::string text;
        try {
            text = read_small_file(dir_ / "index.json", kMaxManifestBytes);
        } catch (const Failure&) {
            bad_source(name_, (dir_ / "index.json").string() + " cannot be read: not an OCI image layout");
        }
        auto index = parse_index(text, media_type::kOciIndex);
        if (!index) bad_source(name_, "index.json: " + index.error().message);
        const Descriptor* chosen = nullptr;
        std::string tags;
        for (const auto& d : index->manifests) {
            auto it = d.annotations.find("org.opencontainers.image.ref.name");
            std::string ref = it == d.annotations.end() ? "" : it->second;
            tags += (tags.empty() ? "" : ", ") + (ref.empty() ? d.digest.str() : ref);
            if (!tag_.empty() && (ref == tag_ || d.digest.str() == tag_)) chosen = &d;
        }
        if (tag_.empty() && index->manifests.size() == 1) chosen = &index->manifests.front();
        if (!chosen) {
            if (index->manifests.empty()) bad_source(name_, "the layout holds no image");
            bad_source(name_,
                       tag_.empty() ? "the layout holds several images: name one (" + tags + ")"
                                    : "no image tagged \"" + tag_ + "\" (the layout has: " + tags + ")",
                       "name an image the layout has, e.g. oci:DIR:TAG");
        }
        RootDocument out;
        out.body = manifest(*chosen);
        out.digest = chosen->digest;
        out.media_type = detect_media_type(out.body, chosen->media_type);
        return out;
    }

    std::string manifest(const Descriptor& d) override {
        const Digest& digest = d.digest;
        std::string body = read_small_file(blob_path_in(dir_, digest), kMaxManifestBytes);
        if (digest_of(body, digest.algorithm) != digest)
            throw Failure(Error{ErrorKind::DigestMismatch,
                                "digest mismatch: manifest " + d.digest.str() + " in " + name_ +
                                    " does not match its content",
                                {},
                                {},
                                "the layout is damaged; recreate it"});
        return body;
    }

    std::filesystem::path blob_file(const Descriptor& d) override {
        auto p = blob_path_in(dir_, d.digest);
        if (!std::filesystem::is_regular_file(p))
            throw Failure(Error{ErrorKind::BlobUnknown,
                                "blob unknown: " + name_ + " lacks blob " + d.digest.str(),
                                {},
                                {},
                                "the layout is incomplete; recreate it"});
        return p;
    }

  private:
    std::filesystem::path dir_;
    std::string tag_;
    std::string name_;
};

// A name inside an archive that may be written under a scratch folder: relative, no "..".
bool safe_member(const std::string& name) {
    if (name.empty() || name.front() == '/') return false;
    std::stringstream ss(name);
    std::string part;
    while (std::getline(ss, part, '/'))
        if (part == "..") return false;
    return true;
}

std::string normalize_member(std::string name) {
    while (name.rfind("./", 0) == 0) name.erase(0, 2);
    return name;
}

// Unpacks the regular files of a tar (and resolves its symbolic links to files in it, as
// docker save writes for repeated layers) under `dest`. Nothing else is created.
void unpack_archive(const std::filesystem::path& file, const std::filesystem::path& dest,
                    const std::string& source) {
    struct archive* a = archive_read_new();
    archive_read_support_format_tar(a);
    archive_read_support_filter_none(a);
    if (archive_read_open_filename(a, file.c_str(), 256 * 1024) != ARCHIVE_OK) {
        std::string why = archive_error_string(a) ? archive_error_string(a) : "cannot open";
        archive_read_free(a);
        bad_source(source, why);
    }
    std::map<std::string, std::string> links;  // member -> target member
    try {
        struct archive_entry* entry = nullptr;
        while (true) {
            int r = archive_read_next_header(a, &entry);
            if (r == ARCHIVE_EOF) break;
            if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                bad_source(source, std::string("not a readable tar: ") + archive_error_string(a));
            std::string name =
                normalize_member(archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "");
            if (!name.empty() && name.back() == '/') continue;
            auto type = archive_entry_filetype(entry);
            if (type == AE_IFDIR) continue;
            if (!safe_member(name)) bad_source(source, "unsafe member name \"" + name + "\"");
            if (type == AE_IFLNK) {
                std::string target = archive_entry_symlink(entry) ? archive_entry_symlink(entry) : "";
                std::filesystem::path t = target.rfind('/', 0) == 0
                                              ? std::filesystem::path(target.substr(1))
                                              : std::filesystem::path(name).parent_path() / target;
                std::string resolved = t.lexically_normal().generic_string();
                if (!safe_member(resolved)) bad_source(source, "unsafe link \"" + name + "\"");
                links[name] = resolved;
                continue;
            }
            if (type != AE_IFREG) continue;
            auto out_path = dest / name;
            std::filesystem::create_directories(out_path.parent_path());
            int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
            if (fd < 0) bad_source(source, "cannot unpack \"" + name + "\": " + std::strerror(errno));
            char buf[64 * 1024];
            la_ssize_t n;
            while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
                const char* p = buf;
                while (n > 0) {
                    ssize_t w = ::write(fd, p, static_cast<std::size_t>(n));
                    if (w < 0 && errno == EINTR) continue;
                    if (w < 0) {
                        ::close(fd);
                        throw Failure(ErrorKind::Io, "cannot unpack " + source + ": " + std::strerror(errno));
                    }
                    p += w;
                    n -= w;
                }
            }
            ::close(fd);
            if (n < 0) bad_source(source, std::string("truncated or damaged: ") + archive_error_string(a));
        }
    } catch (...) {
        archive_read_free(a);
        throw;
    }
    archive_read_free(a);
    for (const auto& [name, target] : links) {
        if (!std::filesystem::is_regular_file(dest / target)) continue;  // a link to nothing is unused
        std::filesystem::create_directories((dest / name).parent_path());
        std::filesystem::copy_file(dest / target, dest / name, std::filesystem::copy_options::skip_existing);
    }
}

Digest hash_file(const std::filesystem::path& path, std::uint64_t& size) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure(ErrorKind::Io, "cannot read " + path.string());
    Hasher h("sha256");
    char buf[64 * 1024];
    size = 0;
    while (in) {
        in.read(buf, sizeof buf);
        auto n = in.gcount();
        if (n > 0) {
            h.update(buf, static_cast<std::size_t>(n));
            size += static_cast<std::uint64_t>(n);
        }
    }
    return h.finish();
}

bool starts_with_gzip(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char magic[2] = {0, 0};
    in.read(reinterpret_cast<char*>(magic), 2);
    return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

bool starts_with_zstd(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char magic[4] = {0, 0, 0, 0};
    in.read(reinterpret_cast<char*>(magic), 4);
    return in.gcount() == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd;
}

// A docker-archive (docker save): manifest.json names the config and the layer files. It becomes
// an OCI manifest whose layers are those files as they are (uncompressed tars, so each layer's
// digest is its diff_id, which the config already lists).
class DockerArchiveSource final : public ImageSource {
  public:
    DockerArchiveSource(std::filesystem::path dir, std::string wanted, std::string name)
        : dir_(std::move(dir)), wanted_(std::move(wanted)), name_(std::move(name)) {}

    std::string describe() const override { return name_; }

    RootDocument root() override {
        std::string text;
        try {
            text = read_small_file(dir_ / "manifest.json", kMaxManifestBytes);
        } catch (const Failure&) {
            bad_source(name_, "no manifest.json: not a docker-archive");
        }
        Poco::JSON::Array::Ptr list;
        try {
            list = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
        } catch (...) {
        }
        if (!list || list->size() == 0) bad_source(name_, "manifest.json lists no image");
        Poco::JSON::Object::Ptr chosen;
        std::string all_tags;
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto entry = list->getObject(static_cast<unsigned>(i));
            if (!entry) bad_source(name_, "manifest.json entry " + std::to_string(i) + " is not an object");
            auto tags = entry->getArray("RepoTags");
            if (tags)
                for (std::size_t t = 0; t < tags->size(); ++t) {
                    std::string tag = tags->getElement<std::string>(static_cast<unsigned>(t));
                    all_tags += (all_tags.empty() ? "" : ", ") + tag;
                    if (!wanted_.empty() && tag == wanted_) chosen = entry;
                }
        }
        if (wanted_.empty()) {
            if (list->size() > 1)
                bad_source(name_, "the archive holds several images: name one (" + all_tags + ")");
            chosen = list->getObject(0);
        }
        if (!chosen) bad_source(name_, "no image \"" + wanted_ + "\" (the archive has: " + all_tags + ")");
        std::string config_name = chosen->optValue<std::string>("Config", "");
        auto layers = chosen->getArray("Layers");
        if (config_name.empty() || !safe_member(config_name) || !layers)
            bad_source(name_, "manifest.json entry lacks Config or Layers");
        std::string config = read_small_file(dir_ / config_name, kMaxManifestBytes);
        Digest config_digest = digest_of(config);
        files_[config_digest.str()] = dir_ / config_name;

        std::string json = "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(media_type::kOciManifest) +
                           "\",\"config\":{\"mediaType\":\"" + std::string(media_type::kOciConfig) +
                           "\",\"digest\":\"" + config_digest.str() +
                           "\",\"size\":" + std::to_string(config.size()) + "},\"layers\":[";
        for (std::size_t i = 0; i < layers->size(); ++i) {
            std::string layer = layers->getElement<std::string>(static_cast<unsigned>(i));
            if (!safe_member(layer)) bad_source(name_, "unsafe layer name \"" + layer + "\"");
            auto path = dir_ / layer;
            if (!std::filesystem::is_regular_file(path)) bad_source(name_, "layer " + layer + " is missing");
            std::uint64_t size = 0;
            Digest d = hash_file(path, size);
            files_[d.str()] = path;
            std::string type(starts_with_gzip(path)   ? media_type::kOciLayerGzip
                             : starts_with_zstd(path) ? media_type::kOciLayerZstd
                                                      : media_type::kOciLayer);
            json += std::string(i ? "," : "") + "{\"mediaType\":\"" + type + "\",\"digest\":\"" + d.str() +
                    "\",\"size\":" + std::to_string(size) + "}";
        }
        json += "]}";
        return RootDocument{std::string(media_type::kOciManifest), json, digest_of(json)};
    }

    std::string manifest(const Descriptor& d) override {
        bad_source(name_, "a docker-archive holds no manifest " + d.digest.str());
    }

    std::filesystem::path blob_file(const Descriptor& d) override {
        auto it = files_.find(d.digest.str());
        if (it == files_.end())
            throw Failure(Error{ErrorKind::BlobUnknown,
                                "blob unknown: " + name_ + " lacks blob " + d.digest.str(),
                                {},
                                {},
                                ""});
        return it->second;
    }

  private:
    std::filesystem::path dir_;
    std::string wanted_;
    std::string name_;
    std::map<std::string, std::filesystem::path> files_;
};

// "FILE[:TAG]" with the path possibly containing ':' only before the last component.
std::pair<std::string, std::string> split_path_tag(const std::string& rest) {
    auto colon = rest.rfind(':');
    auto slash = rest.rfind('/');
    if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {rest, ""};
    return {rest.substr(0, colon), rest.substr(colon + 1)};
}

}  // namespace

std::string read_small_file(const std::filesystem::path& path, std::size_t max_bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure(ErrorKind::Io, "cannot read " + path.string());
    std::string out;
    char buf[64 * 1024];
    while (in) {
        in.read(buf, sizeof buf);
        out.append(buf, static_cast<std::size_t>(in.gcount()));
        if (out.size() > max_bytes)
            throw Failure(ErrorKind::InvalidManifest,
                          path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    return out;
}

bool is_local_transport(const std::string& text) {
    return text.rfind("oci:", 0) == 0 || text.rfind("oci-archive:", 0) == 0 ||
           text.rfind("docker-archive:", 0) == 0;
}

std::unique_ptr<ImageSource> open_local_source(const std::string& text,
                                               const std::filesystem::path& scratch) {
    if (text.rfind("oci:", 0) == 0) {
        auto [dir, tag] = split_path_tag(text.substr(4));
        if (dir.empty()) bad_source(text, "no directory named");
        return std::make_unique<LayoutSource>(dir, tag, text);
    }
    if (text.rfind("oci-archive:", 0) == 0) {
        auto [file, tag] = split_path_tag(text.substr(12));
        if (!std::filesystem::is_regular_file(file)) bad_source(text, file + " is not a file");
        auto dir = scratch / "oci-archive";
        std::filesystem::create_directories(dir);
        unpack_archive(file, dir, text);
        return std::make_unique<LayoutSource>(dir, tag, text);
    }
    if (text.rfind("docker-archive:", 0) == 0) {
        std::string rest = text.substr(15);
        // docker-archive:FILE[:NAME:TAG]: the name may hold a registry port, so the file is the
        // longest prefix that exists.
        std::string file = rest, wanted;
        for (auto pos = rest.find(':'); pos != std::string::npos; pos = rest.find(':', pos + 1)) {
            if (std::filesystem::is_regular_file(rest.substr(0, pos))) {
                file = rest.substr(0, pos);
                wanted = rest.substr(pos + 1);
                break;
            }
        }
        if (!std::filesystem::is_regular_file(file)) bad_source(text, file + " is not a file");
        auto dir = scratch / "docker-archive";
        std::filesystem::create_directories(dir);
        unpack_archive(file, dir, text);
        return std::make_unique<DockerArchiveSource>(dir, wanted, text);
    }
    throw Failure(
        ErrorKind::InvalidArgument, "unknown image transport in \"" + text + "\"",
        "use docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG]");
}

}  // namespace boxtool::source
