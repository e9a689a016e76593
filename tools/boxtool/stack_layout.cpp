#include "stack_layout.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "boxtool/error.hpp"

namespace boxtool::cli {
namespace fs = std::filesystem;
namespace {

constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr std::size_t kMaxIndexBytes = 16 * 1024 * 1024;

Failure io(const std::string& what, const fs::path& p, const std::string& why) {
    return Failure(ErrorKind::Io, what + " " + p.string() + ": " + why,
                   "check that the output directory's parent exists and is writable");
}

Poco::JSON::Object::Ptr read_index(const fs::path& layout) {
    std::ifstream in(layout / "index.json", std::ios::binary);
    if (!in) throw io("cannot read", layout / "index.json", "the OCI layout has no index.json");
    std::string text(kMaxIndexBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    try {
        auto obj = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
        if (!obj || !obj->getArray("manifests"))
            throw io("cannot use", layout / "index.json", "no manifests array");
        return obj;
    } catch (const Failure&) {
        throw;
    } catch (const std::exception& e) {
        throw io("cannot parse", layout / "index.json", e.what());
    }
}

std::string ref_name(const Poco::JSON::Object::Ptr& entry) {
    auto annotations = entry->getObject("annotations");
    return annotations && annotations->has(kRefName) ? annotations->getValue<std::string>(kRefName) : "";
}

// Hard links (or copies across file systems) every blob of `from` into `to`.
void link_blobs(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    if (!fs::is_directory(from / "blobs", ec)) return;
    for (const auto& alg : fs::directory_iterator(from / "blobs")) {
        if (!alg.is_directory()) continue;
        fs::create_directories(to / "blobs" / alg.path().filename());
        for (const auto& blob : fs::directory_iterator(alg.path())) {
            fs::path target = to / "blobs" / alg.path().filename() / blob.path().filename();
            if (fs::exists(target, ec)) continue;
            if (::link(blob.path().c_str(), target.c_str()) == 0) continue;
            fs::copy_file(blob.path(), target, ec);
            if (ec) throw io("cannot copy blob to", target, ec.message());
        }
    }
}

void write_synced(const fs::path& p, const std::string& content) {
    int fd = ::open(p.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) throw io("cannot create", p, std::strerror(errno));
    std::size_t off = 0;
    while (off < content.size()) {
        ssize_t n = ::write(fd, content.data() + off, content.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            throw io("cannot write", p, std::strerror(err));
        }
        off += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
}

// Removes a directory tree when it goes out of scope, unless released.
struct RemoveGuard {
    fs::path path;
    ~RemoveGuard() {
        std::error_code ec;
        if (!path.empty()) fs::remove_all(path, ec);
    }
};

}  // namespace

fs::path make_sibling_dir(const fs::path& target, const std::string& purpose) {
    fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw io("cannot create", parent, ec.message());
    std::string tmpl = (parent / ("." + target.filename().string() + "." + purpose + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw io("cannot create a directory beside", target, std::strerror(errno));
    return tmpl;
}

void write_stack_layout(const fs::path& dir_in, const std::vector<StagedImage>& images) {
    fs::path target = fs::absolute(dir_in).lexically_normal();
    if (!target.has_filename()) target = target.parent_path();
    std::error_code ec;
    const bool exists = fs::exists(target, ec);
    const bool is_layout = exists && fs::is_regular_file(target / "oci-layout", ec);
    if (exists && !fs::is_directory(target, ec))
        throw io("cannot write OCI layout to", target, "it is not a directory");
    if (exists && !is_layout && !fs::is_empty(target, ec))
        throw io("refusing to write OCI layout into", target,
                 "the directory is not empty and is not an OCI layout; choose an empty or new directory");

    RemoveGuard temp{make_sibling_dir(target, "boxtool-layout")};
    fs::create_directories(temp.path / "blobs");
    Poco::JSON::Array::Ptr manifests = new Poco::JSON::Array;
    std::vector<std::string> services;
    for (const auto& image : images) services.push_back(image.service);
    if (is_layout) {
        // Entries of other images stay; a service pulled again replaces its old entry.
        auto old = read_index(target);
        auto list = old->getArray("manifests");
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto entry = list->getObject(static_cast<unsigned>(i));
            if (entry && std::find(services.begin(), services.end(), ref_name(entry)) == services.end())
                manifests->add(entry);
        }
        link_blobs(target, temp.path);
    }
    for (const auto& image : images) {
        auto staged = read_index(image.layout);
        auto list = staged->getArray("manifests");
        if (list->size() != 1)
            throw io("cannot use", image.layout, "expected exactly one image in the staged layout");
        auto entry = list->getObject(0);
        if (!entry)
            throw io("cannot use", image.layout / "index.json", "its manifest entry is not an object");
        Poco::JSON::Object::Ptr annotations = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        annotations->set(kRefName, image.service);
        annotations->set(kImageRefAnnotation, image.reference);
        entry->set("annotations", annotations);
        manifests->add(entry);
        link_blobs(image.layout, temp.path);
    }
    Poco::JSON::Object index(Poco::JSON_PRESERVE_KEY_ORDER);
    index.set("schemaVersion", 2);
    index.set("mediaType", "application/vnd.oci.image.index.v1+json");
    index.set("manifests", manifests);
    std::ostringstream text;
    index.stringify(text);
    write_synced(temp.path / "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}\n");
    write_synced(temp.path / "index.json", text.str() + "\n");

    if (exists) {
        // Swap atomically; the guard then removes the old layout, now at the temporary path.
        if (::renameat2(AT_FDCWD, temp.path.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
            if (errno != EINVAL && errno != ENOSYS) throw io("cannot replace", target, std::strerror(errno));
            fs::path old = make_sibling_dir(target, "boxtool-old");
            fs::remove(old);
            fs::rename(target, old);
            fs::rename(temp.path, target);
            temp.path = old;
        }
    } else {
        if (::rename(temp.path.c_str(), target.c_str()) != 0)
            throw io("cannot move output to", target, std::strerror(errno));
        temp.path.clear();
    }
}

}  // namespace boxtool::cli
