// Applies layer tar streams, in order, to a root directory: OCI whiteouts and opaque directories,
// files, directories, symlinks, hard links, device nodes and FIFOs, with modes, ownership, mtimes
// and extended attributes. All paths go through SafeRoot, so no entry reaches outside the root;
// DirCache keeps the directories already resolved, so a regular file costs about four system calls
// (openat with its mode, write, futimens, close): no chown when the owner a new file gets already
// is the entry's, no chmod when the umask left the mode intact, no ftruncate when the data reached
// the declared size.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "output/dir_cache.hpp"
#include "output/layer_paths.hpp"
#include "output/layer_reader.hpp"
#include "output/safe_root.hpp"

namespace boxtool::output {

class RootfsApplier {
  public:
    // `rootless`: no ownership changes, no device nodes, no set-id bits (each recorded for warnings()).
    RootfsApplier(int root_fd, bool rootless);

    // Applies every entry of one layer; `label` names the layer in errors. `check_interrupt` is
    // called between entries and may throw to stop.
    void apply_layer(LayerTarReader& tar, const std::string& label,
                     const std::function<void()>& check_interrupt);
    // Sets the directories' final modes, owners and mtimes, deferred so that adding entries to a
    // directory neither changes its mtime afterwards nor is blocked by a read-only mode.
    void finish();
    // What rootless mode or the file system made us skip, one line per kind; empty when nothing was.
    std::vector<std::string> warnings() const;

  private:
    // A directory of the layers, finished at the end; keyed by its path in dirs_.
    struct DirMeta {
        mode_t mode = 0755;
        uid_t uid = 0;
        gid_t gid = 0;
        timespec mtime{};
        // The mode it was created with by us, when that is known to be `mode` already: then
        // finish() only sets its times (one utimensat by name instead of open, chmod, futimens, close).
        bool mode_on_disk = false;
    };
    void whiteout(const std::vector<std::string>& path, const std::string& what);
    void opaque(const std::vector<std::string>& dir_path);
    // Clears the way for a new entry `name` in `dir` (`full`: its path): true if an existing
    // directory is kept.
    bool make_room(int dir, const std::string& name, bool new_is_dir, const std::string& full);
    // The directory at `path` and everything below it were removed: nothing there to finish.
    void forget_dirs(const std::string& path);
    // The mode a new directory is created with: its own when that lets us work inside it and the
    // umask leaves it whole, else 0700 until finish().
    mode_t creation_mode(mode_t mode) const;
    // The directory holding the last component of `path` (created when missing); borrowed, see DirCache.
    DirRef parent_dir(const std::vector<std::string>& path, bool create_missing);
    // Whether the entry's owner differs from the one a file we create gets (counts rootless skips).
    bool needs_chown(struct archive_entry* e);
    // Creates the regular file `name` (replacing what is there) with `mode`; its descriptor.
    UniqueFd create_file(int dir, const std::string& name, mode_t mode, const std::string& path);
    void set_xattrs(int fd, struct archive_entry* e, const std::string& path);
    void set_owner_at(int dir, const std::string& name, struct archive_entry* e, const std::string& path);
    mode_t permissions(struct archive_entry* e, const std::string& path);
    void note(std::set<std::string>& where, const std::string& path);

    SafeRoot root_;
    DirCache cache_{root_};
    bool rootless_;
    // Who owns what we create: the effective ids, unless the root's group or set-group-ID bit say
    // new files take another group (then every entry is chowned).
    uid_t new_uid_;
    gid_t new_gid_;
    bool new_gid_known_ = false;
    int umask_ = -1;          // the process's umask, -1 when unknown (then every file is chmod'ed)
    LayerPaths layer_paths_;  // paths (and their parents) added by the current layer
    std::map<std::string, DirMeta> dirs_;
    std::optional<DirMeta> root_meta_;
    std::set<std::string> skipped_devices_, skipped_setid_, skipped_xattrs_, skipped_other_;
    std::size_t skipped_owners_ = 0;
};

}  // namespace boxtool::output
