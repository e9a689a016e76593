// Path resolution confined to a root directory, for writing untrusted layers.
//
// Every path is walked one component at a time from a directory file descriptor, never as a string
// handed to the kernel: each step is an openat/fstatat relative to the previous directory with
// O_NOFOLLOW. Symlinks met on the way are followed the way a container would see them, with the root
// as "/": an absolute target restarts at the root and ".." stops at it (the semantics of openat2's
// RESOLVE_IN_ROOT, done in user space so that missing directories can be created on the way and
// the code runs where openat2 is unavailable or filtered). The final component is never followed.
// So a symlink planted by one entry or layer can redirect a later write only to somewhere inside
// the root, never out of it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxtool::output {

class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept;
    ~UniqueFd();
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

// The components of a tar entry name ("./usr//bin/" -> {"usr", "bin"}). Throws Failure(UnsafeLayer)
// for an absolute name, a ".." component, or a name longer than the file system allows. `what`
// names the entry in errors.
std::vector<std::string> split_entry_path(std::string_view name, const std::string& what);
// A tar name fit for a message: control characters replaced, very long names shortened.
std::string printable_name(std::string_view name);
std::string join_path(const std::vector<std::string>& components, std::size_t count);

struct ParentDir {
    UniqueFd dir;      // an O_PATH descriptor of the directory holding `name`
    std::string name;  // the last component, not resolved
};

class SafeRoot {
  public:
    explicit SafeRoot(int root_fd) : root_(root_fd) {}  // borrowed
    int fd() const noexcept { return root_; }

    // The directory `components` names, symlinks resolved inside the root. Missing directories are
    // created (mode 0755) when `create_missing`; otherwise an empty optional means "does not
    // exist". Throws Failure(UnsafeLayer) when a component is a file, or on a symlink loop.
    std::optional<UniqueFd> open_dir(const std::vector<std::string>& components, bool create_missing) const;
    // The parent of `components` (which must not be empty) and the final name.
    std::optional<ParentDir> parent_of(const std::vector<std::string>& components, bool create_missing) const;

  private:
    int root_;
};

// Removes `name` in `dir_fd` and, if it is a directory, everything below it, without following
// symlinks. A missing name is not an error.
void remove_tree_at(int dir_fd, const std::string& name);

}  // namespace boxtool::output
