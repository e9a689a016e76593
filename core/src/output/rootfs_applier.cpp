#include "output/rootfs_applier.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "boxtool/error.hpp"

namespace boxtool::output {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr std::size_t kListedInWarnings = 5;

Failure unsafe(const std::string& message) {
    return Failure(ErrorKind::UnsafeLayer, message,
                   "the image contains a hostile or malformed layer; nothing was unpacked");
}

Failure io_error(const std::string& what, const std::string& path, int err) {
    return Failure(ErrorKind::Io, what + " \"/" + path + "\" in the unpacked root: " + std::strerror(err),
                   "check free space and permissions of the output's parent directory");
}

timespec mtime_of(archive_entry* e) {
    timespec t{};
    t.tv_sec = archive_entry_mtime(e);
    t.tv_nsec = archive_entry_mtime_nsec(e);
    return t;
}

void entry_times(archive_entry* e, timespec (&times)[2]) {
    times[0] = times[1] = mtime_of(e);
    if (archive_entry_atime_is_set(e)) times[0] = {archive_entry_atime(e), archive_entry_atime_nsec(e)};
}

void set_times_at(int dir, const std::string& name, archive_entry* e, const std::string& path) {
    timespec times[2];
    entry_times(e, times);
    if (::utimensat(dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
        throw io_error("cannot set the times of", path, errno);
}

// The process's umask from /proc (reading it with umask(2) would change it for every thread
// meanwhile); -1 when unknown.
int current_umask() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Umask:", 0) == 0) {
            try {
                return std::stoi(line.substr(6), nullptr, 8);
            } catch (const std::exception&) {
                return -1;
            }
        }
    }
    return -1;
}

void write_all_at(int fd, const char* data, std::size_t size, std::int64_t offset, const std::string& path) {
    while (size > 0) {
        ssize_t n = ::pwrite(fd, data, size, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw io_error("cannot write", path, errno);
        data += n;
        size -= static_cast<std::size_t>(n);
        offset += n;
    }
}

std::string listed(const std::set<std::string>& paths) {
    std::string out;
    std::size_t i = 0;
    for (const auto& p : paths) {
        if (i == kListedInWarnings) {
            out += ", and " + std::to_string(paths.size() - i) + " more";
            break;
        }
        out += (i++ ? ", /" : "/") + p;
    }
    return out;
}

}  // namespace

RootfsApplier::RootfsApplier(int root_fd, bool rootless)
    : root_(root_fd),
      rootless_(rootless),
      new_uid_(::geteuid()),
      new_gid_(::getegid()),
      umask_(current_umask()) {
    // A new file takes the effective group unless its directory is set-group-ID (or the file system
    // is mounted grpid): then the directory's. Our directories keep the root's group and no set-id
    // bit until finish(), so when the root has the effective group and no set-group-ID bit, so does
    // every file we create; otherwise we do not guess and chown every entry.
    struct stat st {};
    new_gid_known_ = ::fstat(root_fd, &st) == 0 && !(st.st_mode & S_ISGID) && st.st_gid == new_gid_;
}

DirRef RootfsApplier::parent_dir(const std::vector<std::string>& path, bool create_missing) {
    return cache_.find(path, path.size() - 1, create_missing);
}

bool RootfsApplier::needs_chown(archive_entry* e) {
    auto uid = static_cast<uid_t>(archive_entry_uid(e));
    auto gid = static_cast<gid_t>(archive_entry_gid(e));
    if (rootless_) {
        if (uid != new_uid_ || gid != new_gid_) ++skipped_owners_;
        return false;
    }
    return !new_gid_known_ || uid != new_uid_ || gid != new_gid_;
}

UniqueFd RootfsApplier::create_file(int dir, const std::string& name, mode_t mode, const std::string& path) {
    constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd fd(::openat(dir, name.c_str(), kFlags, mode));
    if (!fd && errno == EEXIST) {  // an earlier entry or layer put something there
        make_room(dir, name, false, path);
        fd = UniqueFd(::openat(dir, name.c_str(), kFlags, mode));
    }
    if (!fd) throw io_error("cannot create", path, errno);
    return fd;
}

void RootfsApplier::note(std::set<std::string>& where, const std::string& path) {
    where.insert(path);
}

mode_t RootfsApplier::permissions(archive_entry* e, const std::string& path) {
    mode_t mode = archive_entry_perm(e) & 07777;
    if (rootless_ && (mode & (S_ISUID | S_ISGID))) {
        note(skipped_setid_, path);
        mode &= ~static_cast<mode_t>(S_ISUID | S_ISGID);
    }
    return mode;
}

void RootfsApplier::set_owner_at(int dir, const std::string& name, archive_entry* e,
                                 const std::string& path) {
    if (!needs_chown(e)) return;
    auto uid = static_cast<uid_t>(archive_entry_uid(e));
    auto gid = static_cast<gid_t>(archive_entry_gid(e));
    if (::fchownat(dir, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
        throw io_error("cannot set the owner of", path, errno);
}

void RootfsApplier::set_xattrs(int fd, archive_entry* e, const std::string& path) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    if (archive_entry_xattr_reset(e) == 0) return;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
        if (!name) continue;
        // Where the file system or our privileges do not allow an attribute, keep going and say so.
        if (::fsetxattr(fd, name, value, size, 0) != 0) note(skipped_xattrs_, path + " (" + name + ")");
    }
}

bool RootfsApplier::make_room(int dir, const std::string& name, bool new_is_dir, const std::string& full) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    if (new_is_dir && S_ISDIR(st.st_mode)) return true;
    // A directory or symlink may be on the way to a cached directory: forget them all (rare).
    if (!S_ISREG(st.st_mode)) cache_.invalidate();
    if (S_ISDIR(st.st_mode)) forget_dirs(full);
    remove_tree_at(dir, name);
    return false;
}

void RootfsApplier::forget_dirs(const std::string& path) {
    dirs_.erase(path);
    // Keys below `path` sort from "path/" up to "path0" ('0' follows '/').
    dirs_.erase(dirs_.lower_bound(path + '/'), dirs_.lower_bound(path + '0'));
}

mode_t RootfsApplier::creation_mode(mode_t mode) const {
    const bool workable = (mode & 0700) == 0700 && !(mode & 07000);
    const bool umask_spares = umask_ >= 0 && (mode & static_cast<mode_t>(umask_)) == 0;
    return workable && umask_spares ? mode : 0700;
}

void RootfsApplier::whiteout(const std::vector<std::string>& path, const std::string& what) {
    std::vector<std::string> dir(path.begin(), path.end() - 1);
    const std::string& base = path.back();
    if (base == kOpaqueMarker) return opaque(dir);
    std::string hidden = base.substr(kWhiteoutPrefix.size());
    if (hidden.empty() || hidden == "." || hidden == ".." || hidden.rfind(kWhiteoutPrefix, 0) == 0)
        throw unsafe(what + " is a whiteout that names no file in its directory (it could escape it)");
    std::vector<std::string> target = dir;
    target.push_back(hidden);
    // A whiteout hides lower layers only: what this layer itself added stays.
    const std::string target_path = join_path(target, target.size());
    if (layer_paths_.contains(target_path)) return;
    auto parent = root_.parent_of(target, false);
    if (!parent) return;
    cache_.invalidate();
    forget_dirs(target_path);
    remove_tree_at(parent->dir.get(), parent->name);
}

void RootfsApplier::opaque(const std::vector<std::string>& dir_path) {
    auto dir = root_.open_dir(dir_path, false);
    if (!dir) return;
    int fd = ::openat(dir->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw io_error("cannot open", join_path(dir_path, dir_path.size()), errno);
    DIR* d = ::fdopendir(fd);
    if (!d) {
        ::close(fd);
        throw io_error("cannot list", join_path(dir_path, dir_path.size()), errno);
    }
    std::vector<std::string> children;
    while (dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            children.emplace_back(e->d_name);
    }
    std::string prefix = join_path(dir_path, dir_path.size());
    cache_.invalidate();
    try {
        for (const auto& child : children) {
            std::string child_path = prefix.empty() ? child : prefix + "/" + child;
            if (layer_paths_.contains(child_path)) continue;
            forget_dirs(child_path);
            remove_tree_at(::dirfd(d), child);
        }
    } catch (...) {
        ::closedir(d);
        throw;
    }
    ::closedir(d);
}

void RootfsApplier::apply_layer(LayerTarReader& tar, const std::string& label,
                                const std::function<void()>& check_interrupt) {
    layer_paths_.clear();
    while (archive_entry* e = tar.next()) {
        check_interrupt();
        const char* raw_name = archive_entry_pathname(e);
        std::string entry_name = raw_name ? raw_name : "";
        std::string what = "entry \"" + printable_name(entry_name) + "\" of " + label;
        auto path = split_entry_path(entry_name, what);
        if (path.empty()) {
            // The root itself ("./"): like any directory, its metadata is set at the end.
            if (archive_entry_filetype(e) == AE_IFDIR)
                root_meta_ = DirMeta{permissions(e, "."), static_cast<uid_t>(archive_entry_uid(e)),
                                     static_cast<gid_t>(archive_entry_gid(e)), mtime_of(e)};
            continue;
        }
        const std::string full = join_path(path, path.size());
        if (path.back().rfind(kWhiteoutPrefix, 0) == 0) {
            whiteout(path, what);
            continue;
        }
        layer_paths_.add_with_parents(full);

        // `name` is relative to `dir`: the entry's own name, or a path through directories we made.
        const DirRef parent = parent_dir(path, true);
        const int dir = parent.fd;
        const std::string name = parent.name(path.back());

        if (const char* link = archive_entry_hardlink(e)) {
            auto target_path =
                split_entry_path(link, "the hard link target \"" + printable_name(link) + "\" of " + what);
            if (target_path.empty()) throw unsafe(what + " is a hard link to the root directory");
            const DirRef target_parent = parent_dir(target_path, false);  // `dir` stays open, see DirCache
            const int target_dir = target_parent.fd;
            const std::string target_name = target_parent.name(target_path.back());
            struct stat tst {};
            if (target_dir < 0 || ::fstatat(target_dir, target_name.c_str(), &tst, AT_SYMLINK_NOFOLLOW) != 0)
                throw unsafe(what + " is a hard link to \"" + printable_name(link) +
                             "\", which does not exist in the root (targets never resolve outside it)");
            if (S_ISDIR(tst.st_mode)) throw unsafe(what + " is a hard link to a directory");
            struct stat cur {};
            if (::fstatat(dir, name.c_str(), &cur, AT_SYMLINK_NOFOLLOW) == 0 && cur.st_ino == tst.st_ino &&
                cur.st_dev == tst.st_dev)
                continue;  // already the same file
            make_room(dir, name, false, full);
            if (::linkat(target_dir, target_name.c_str(), dir, name.c_str(), 0) != 0)
                throw io_error("cannot create hard link", full, errno);
            continue;
        }

        const mode_t type = archive_entry_filetype(e);
        if (type == AE_IFDIR) {
            const mode_t mode = permissions(e, full);
            const mode_t create = creation_mode(mode);
            bool created = ::mkdirat(dir, name.c_str(), create) == 0;
            if (!created && (errno != EEXIST || (!make_room(dir, name, true, full) &&
                                                 !(created = ::mkdirat(dir, name.c_str(), create) == 0))))
                throw io_error("cannot create directory", full, errno);
            if (created) cache_.made(path, path.size(), parent);
            if (archive_entry_xattr_count(e) > 0) {
                UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!fd) throw io_error("cannot open directory", full, errno);
                set_xattrs(fd.get(), e, full);
            }
            // A directory kept from a lower layer has the mode its own entry created it with, if
            // we know that one; else (made as a parent of an entry) finish() sets it.
            mode_t on_disk = create;
            if (!created) {
                auto earlier = dirs_.find(full);
                on_disk = earlier != dirs_.end() && earlier->second.mode_on_disk ? earlier->second.mode : 0;
            }
            dirs_[full] = DirMeta{mode, static_cast<uid_t>(archive_entry_uid(e)),
                                  static_cast<gid_t>(archive_entry_gid(e)), mtime_of(e),
                                  on_disk == mode && (created || on_disk != 0)};
            continue;
        }
        if (type == AE_IFREG) {
            const auto size = static_cast<std::uint64_t>(std::max<la_int64_t>(0, archive_entry_size(e)));
            const mode_t mode = permissions(e, full);
            // Created with its permission bits (the descriptor stays writable whatever they say);
            // set-id and sticky bits only by fchmod after chown, which would clear them.
            UniqueFd fd = create_file(dir, name, mode & 0777, full);
            std::uint64_t end = 0;
            tar.read_data([&](const char* data, std::size_t n, std::int64_t offset) {
                if (offset < 0 || static_cast<std::uint64_t>(offset) + n > size)
                    throw unsafe(what + " has more data than its declared size");
                write_all_at(fd.get(), data, n, offset, full);
                end = std::max<std::uint64_t>(end, static_cast<std::uint64_t>(offset) + n);
            });
            // A sparse file's trailing hole.
            if (end < size && ::ftruncate(fd.get(), static_cast<off_t>(size)) != 0)
                throw io_error("cannot size", full, errno);
            const bool chowned = needs_chown(e);
            if (chowned && ::fchown(fd.get(), static_cast<uid_t>(archive_entry_uid(e)),
                                    static_cast<gid_t>(archive_entry_gid(e))) != 0)
                throw io_error("cannot set the owner of", full, errno);
            const bool mode_intact =
                umask_ >= 0 && (mode & static_cast<mode_t>(umask_)) == 0 && !(mode & ~0777u);
            if (!mode_intact && ::fchmod(fd.get(), mode) != 0)
                throw io_error("cannot set the mode of", full, errno);
            set_xattrs(fd.get(), e, full);
            timespec times[2];
            entry_times(e, times);
            if (::futimens(fd.get(), times) != 0) throw io_error("cannot set the times of", full, errno);
            continue;
        }
        if (type == AE_IFLNK) {
            const char* target = archive_entry_symlink(e);
            // The target is stored as is: it is only ever resolved inside the root.
            if (::symlinkat(target ? target : "", dir, name.c_str()) != 0 &&
                (errno != EEXIST || (make_room(dir, name, false, full),
                                     ::symlinkat(target ? target : "", dir, name.c_str()) != 0)))
                throw io_error("cannot create symbolic link", full, errno);
            set_owner_at(dir, name, e, full);
            set_times_at(dir, name, e, full);
            continue;
        }
        if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO) {
            if (type != AE_IFIFO && rootless_) {
                note(skipped_devices_, full);
                continue;
            }
            make_room(dir, name, false, full);
            dev_t dev =
                type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
            mode_t mode = permissions(e, full);
            if (::mknodat(dir, name.c_str(), type | (mode & 0777), dev) != 0) {
                // Root without CAP_MKNOD (e.g. in a container): skip the node as rootless would.
                if (errno != EPERM || type == AE_IFIFO)
                    throw io_error("cannot create special file", full, errno);
                note(skipped_devices_, full);
                continue;
            }
            set_owner_at(dir, name, e, full);
            // Our private, not yet published tree: nothing can swap the node for a symlink meanwhile.
            if (::fchmodat(dir, name.c_str(), mode, 0) != 0)
                throw io_error("cannot set the mode of", full, errno);
            set_times_at(dir, name, e, full);
            continue;
        }
        note(skipped_other_, full);  // sockets and unknown types: nothing a root filesystem needs
    }
}

void RootfsApplier::finish() {
    struct Pending {
        std::vector<std::string> path;
        const DirMeta* meta;
    };
    std::vector<Pending> order;
    order.reserve(dirs_.size());
    for (const auto& [full, meta] : dirs_) order.push_back({split_entry_path(full, full), &meta});
    // Deepest first, so a read-only parent never blocks its children; siblings stay together, so
    // their parent comes from the cache.
    std::stable_sort(order.begin(), order.end(),
                     [](const Pending& a, const Pending& b) { return a.path.size() > b.path.size(); });
    for (const auto& [path, meta] : order) {
        const DirRef where = parent_dir(path, false);
        if (!where) continue;  // removed by a later whiteout
        const int parent = where.fd;
        const std::string name = where.name(path.back());
        const bool owner_differs = !new_gid_known_ || meta->uid != new_uid_ || meta->gid != new_gid_;
        if (rootless_ && (meta->uid != new_uid_ || meta->gid != new_gid_)) ++skipped_owners_;
        timespec times[2] = {meta->mtime, meta->mtime};
        if (meta->mode_on_disk && (rootless_ || !owner_differs)) {
            // Still the directory we made (forget_dirs() drops what later entries replaced), in
            // our private tree: by name, without following a symlink.
            if (::utimensat(parent, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOENT)
                throw io_error("cannot set the times of", join_path(path, path.size()), errno);
            continue;
        }
        std::string full = join_path(path, path.size());
        UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) continue;  // replaced by a file or symlink in a later layer
        if (!rootless_ && owner_differs && ::fchown(fd.get(), meta->uid, meta->gid) != 0)
            throw io_error("cannot set the owner of", full, errno);
        if (::fchmod(fd.get(), meta->mode) != 0) throw io_error("cannot set the mode of", full, errno);
        if (::futimens(fd.get(), times) != 0) throw io_error("cannot set the times of", full, errno);
    }
    // The root: as the layers' "./" entry says, else the usual 0755.
    int root = root_.fd();
    if (root_meta_ && !rootless_ && ::fchown(root, root_meta_->uid, root_meta_->gid) != 0)
        throw io_error("cannot set the owner of", "", errno);
    if (::fchmod(root, root_meta_ ? root_meta_->mode : 0755) != 0)
        throw io_error("cannot set the mode of", "", errno);
    if (root_meta_) {
        timespec times[2] = {root_meta_->mtime, root_meta_->mtime};
        if (::futimens(root, times) != 0) throw io_error("cannot set the times of", "", errno);
    }
}

std::vector<std::string> RootfsApplier::warnings() const {
    std::vector<std::string> out;
    if (skipped_owners_)
        out.push_back("rootless: kept our own ownership instead of the image's for " +
                      std::to_string(skipped_owners_) + " entries");
    if (!skipped_devices_.empty())
        out.push_back(
            std::string(rootless_ ? "rootless: skipped " : "not permitted to create device nodes: skipped ") +
            std::to_string(skipped_devices_.size()) + " device node(s): " + listed(skipped_devices_));
    if (!skipped_setid_.empty())
        out.push_back("rootless: removed set-user-ID/set-group-ID bits from " + listed(skipped_setid_));
    if (!skipped_xattrs_.empty())
        out.push_back("extended attributes the file system or our privileges refused: " +
                      listed(skipped_xattrs_));
    if (!skipped_other_.empty())
        out.push_back("skipped sockets and unknown entry types: " + listed(skipped_other_));
    return out;
}

}  // namespace boxtool::output
