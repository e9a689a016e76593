#include "output/oci_layout.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "boxtool/error.hpp"
#include "util/json_text.hpp"
#include "util/temp_path.hpp"

namespace boxtool::output {
namespace fs = std::filesystem;
namespace {

constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

Failure io(const std::string& what, const fs::path& p, const std::string& why) {
    return Failure(ErrorKind::Io, what + " " + p.string() + ": " + why,
                   "check that the output directory's parent exists and is writable");
}

// A hard link shares the verified bytes without copying gigabytes, but only a file of our own is
// linked: a link to another user's inode would publish whatever they write into it later. The
// file is opened without following symlinks, and it is that very inode (checked through its
// descriptor) that is linked or copied. Copies also cover links across file systems.
void link_or_copy(const fs::path& from, const fs::path& to) {
    struct stat st {};
    if (::lstat(to.c_str(), &st) == 0) return;
    int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) throw io("cannot open blob", from, std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw io("refusing to copy", from, "not a regular file");
    if (st.st_uid == ::geteuid()) {
        std::string self = "/proc/self/fd/" + std::to_string(fd);
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, to.c_str(), AT_SYMLINK_FOLLOW) == 0) return;
    }
    int out = ::open(to.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (out < 0) throw io("cannot create", to, std::strerror(errno));
    std::vector<char> buf(1 << 20);
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) break;
        bool ok = n > 0;
        for (ssize_t done = 0; ok && done < n;) {
            ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            ok = w > 0;
            done += ok ? w : 0;
        }
        if (!ok) {
            int err = errno;
            ::close(out);
            ::unlink(to.c_str());
            throw io("cannot copy blob to", to, std::strerror(err));
        }
    }
    ::fchmod(out, 0444);
    ::close(out);
}

void write_file_synced(const fs::path& p, const std::string& content) {
    int fd = ::open(p.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) throw io("cannot create", p, std::strerror(errno));
    const char* data = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            throw io("cannot write", p, std::strerror(err));
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
}

// Index entries of an existing layout to keep: every one except a previous image under our ref name.
std::vector<std::string> kept_entries(const fs::path& dir, const std::string& ref_name,
                                      const Digest& digest) {
    std::ifstream in(dir / "index.json");
    if (!in) throw io("cannot read", dir / "index.json", "the existing OCI layout has no index.json");
    std::stringstream text;
    text << in.rdbuf();
    std::vector<std::string> out;
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(text.str()).extract<Poco::JSON::Object::Ptr>();
        auto arr = obj ? obj->getArray("manifests") : nullptr;
        if (!arr) throw io("cannot use", dir / "index.json", "it has no manifests array");
        for (std::size_t i = 0; i < arr->size(); ++i) {
            auto entry = arr->getObject(static_cast<unsigned>(i));
            if (!entry) continue;
            std::string name;
            if (auto ann = entry->getObject("annotations"); ann && ann->has(kRefNameAnnotation))
                name = ann->getValue<std::string>(kRefNameAnnotation);
            std::string entry_digest = entry->has("digest") ? entry->getValue<std::string>("digest") : "";
            if (!ref_name.empty() && name == ref_name) continue;
            if (ref_name.empty() && name.empty() && entry_digest == digest.str()) continue;
            std::ostringstream s;
            Poco::JSON::Stringifier::stringify(entry, s);
            out.push_back(s.str());
        }
    } catch (const Failure&) {
        throw;
    } catch (const std::exception& e) {
        throw io("cannot parse", dir / "index.json", e.what());
    }
    return out;
}

}  // namespace

void check_layout_target(const fs::path& dir) {
    fs::path target = util::output_target(dir);
    std::error_code ec;
    bool exists = fs::exists(target, ec);
    if (exists && !fs::is_directory(target, ec))
        throw io("cannot write OCI layout to", target, "it is not a directory");
    if (exists && !fs::is_regular_file(target / "oci-layout", ec) && !fs::is_empty(target, ec))
        throw io("refusing to write OCI layout into", target,
                 "the directory is not empty and is not an OCI layout; choose an empty or new directory");
}

void write_oci_layout(const fs::path& dir_in, const LayoutImage& image) {
    fs::path target = util::output_target(dir_in);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw io("cannot create", target.parent_path(), ec.message());
    check_layout_target(target);
    bool exists = fs::exists(target);
    bool is_layout = exists && fs::is_regular_file(target / "oci-layout");

    util::TempPathGuard temp(util::sibling_temp_path(target));
    fs::create_directories(temp.path() / "blobs", ec);
    if (ec) throw io("cannot create", temp.path(), ec.message());

    std::vector<std::string> entries;
    if (is_layout) {
        entries = kept_entries(target, image.ref_name, image.manifest_digest);
        for (const auto& alg_dir : fs::directory_iterator(target / "blobs")) {
            if (!alg_dir.is_directory()) continue;
            fs::create_directories(temp.path() / "blobs" / alg_dir.path().filename());
            for (const auto& blob : fs::directory_iterator(alg_dir.path()))
                link_or_copy(blob.path(),
                             temp.path() / "blobs" / alg_dir.path().filename() / blob.path().filename());
        }
    }
    for (const auto& [d, file] : image.blobs) {
        fs::create_directories(temp.path() / "blobs" / d.algorithm);
        link_or_copy(file, temp.path() / "blobs" / d.algorithm / d.hex);
    }
    const Digest& md = image.manifest_digest;
    fs::create_directories(temp.path() / "blobs" / md.algorithm);
    if (!fs::exists(temp.path() / "blobs" / md.algorithm / md.hex))
        write_file_synced(temp.path() / "blobs" / md.algorithm / md.hex, image.manifest_bytes);

    std::string entry = "{\"mediaType\":" + util::json_quote(image.manifest_media_type) +
                        ",\"digest\":" + util::json_quote(image.manifest_digest.str()) +
                        ",\"size\":" + std::to_string(image.manifest_bytes.size());
    if (!image.ref_name.empty())
        entry += std::string(",\"annotations\":{\"") + kRefNameAnnotation +
                 "\":" + util::json_quote(image.ref_name) + "}";
    entry += "}";
    entries.push_back(entry);
    std::string index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[";
    for (std::size_t i = 0; i < entries.size(); ++i) index += (i ? "," : "") + entries[i];
    index += "]}\n";
    write_file_synced(temp.path() / "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}\n");
    write_file_synced(temp.path() / "index.json", index);

    if (exists) {
        // Swap atomically, so readers see the old layout or the new one, never a mix or nothing.
        if (::renameat2(AT_FDCWD, temp.path().c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
            if (errno != EINVAL && errno != ENOSYS) throw io("cannot replace", target, std::strerror(errno));
            fs::path old = util::sibling_temp_path(target);
            fs::rename(target, old);
            fs::rename(temp.path(), target);
            fs::remove_all(old, ec);
            temp.release();
        }
        // After an exchange, the guard's path holds the old layout and removes it.
    } else {
        if (::rename(temp.path().c_str(), target.c_str()) != 0)
            throw io("cannot move output to", target, std::strerror(errno));
        temp.release();
    }
}

}  // namespace boxtool::output
