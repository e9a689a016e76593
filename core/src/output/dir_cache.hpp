// Directories already resolved inside the root, kept open by the entry path that named them, so that
// the thousands of entries of one directory cost no path walk each (issue 14: the safe walk opened
// and stat'ed every component of every entry, about 20 system calls per file).
//
// Why it stays safe: an entry is resolved the slow way (SafeRoot::open_dir, symlinks followed inside
// the root) the first time; the cache then holds the resulting O_PATH descriptor, which keeps naming
// the same directory whatever happens to path strings. The only way the same path could come to mean
// another directory is a change to the tree, and the tree is private and changed only by our applier,
// which calls invalidate() whenever it removes or replaces a directory or a symlink. A descriptor
// cannot point outside the root, since it was resolved inside it. The walk below a cached prefix
// takes only real directories (openat with O_PATH | O_DIRECTORY | O_NOFOLLOW, one system call per
// component); anything else (a symlink, a file, an error) falls back to the full SafeRoot walk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "output/safe_root.hpp"

namespace boxtool::output {

// A directory as the cache hands it out: a descriptor, and the relative path of directories we
// made below it and have not opened ("" or "b/c/"), to put before a name used with `fd`.
struct DirRef {
    int fd = -1;
    std::string below;
    std::uint64_t generation = 0;  // the cache's, when handed out: made() ignores stale parents
    explicit operator bool() const noexcept { return fd >= 0; }
    std::string name(const std::string& entry) const { return below.empty() ? entry : below + entry; }
};

class DirCache {
  public:
    explicit DirCache(const SafeRoot& root) : root_(root) {}

    // As open_dir, but a directory we made (made()) and have not opened is handed out as its
    // nearest opened ancestor and the path from there: no open and close for each new directory,
    // which a tree of many small directories would otherwise pay (two of its five system calls).
    // Safe for the reason the cache is: only our applier changes the private tree, a directory we
    // made is real until it is removed or replaced, and that invalidates everything.
    DirRef find(const std::vector<std::string>& components, std::size_t count, bool create_missing);
    // The directory the first `count` of `components` name was just made by mkdirat in `parent`.
    void made(const std::vector<std::string>& components, std::size_t count, const DirRef& parent);

    // The directory the first `count` of `components` name, as SafeRoot::open_dir(create_missing);
    // -1 when it does not exist and !create_missing. The descriptor is borrowed: it stays open until
    // the next-but-one call (so two may be used together, as a hard link's two directories are),
    // whatever invalidate() does meanwhile.
    int open_dir(const std::vector<std::string>& components, std::size_t count, bool create_missing);
    // Forgets every cached directory: call after removing or replacing a directory or a symlink.
    void invalidate();
    std::size_t size() const noexcept { return dirs_.size(); }

  private:
    // Bounded so that a tree of many directories keeps few descriptors open; tar order keeps the
    // working set small, and a full cache simply starts again.
    static constexpr std::size_t kMaxOpen = 128;
    int remember(std::string key, UniqueFd fd);

    static constexpr std::size_t kMaxBelow = 8;  // components below an opened directory, at most
    const SafeRoot& root_;
    std::unordered_map<std::string, UniqueFd> dirs_;
    std::unordered_map<std::string, DirRef> made_;  // made, not opened: cleared with dirs_
    std::uint64_t generation_ = 0;                  // invalidate() calls so far
    std::vector<UniqueFd> retired_, retiring_;      // forgotten, still open for descriptors handed out
};

}  // namespace boxtool::output
