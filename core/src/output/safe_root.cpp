#include "output/safe_root.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "boxtool/error.hpp"

namespace boxtool::output {
namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's ELOOP limit

Failure unsafe(const std::string& message) {
    return Failure(ErrorKind::UnsafeLayer, message,
                   "the image contains a hostile or malformed layer; nothing was unpacked");
}

Failure io_error(const std::string& what, const std::string& path, int err) {
    return Failure(ErrorKind::Io, what + " \"" + path + "\" in the unpacked root: " + std::strerror(err),
                   "check free space and permissions of the output's parent directory");
}

std::vector<std::string> split_link_target(std::string_view target) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= target.size()) {
        auto slash = target.find('/', start);
        if (slash == std::string_view::npos) slash = target.size();
        if (slash > start) out.emplace_back(target.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
}

std::string printable_name(std::string_view name) {
    constexpr std::size_t kShown = 96;
    std::string out;
    for (char c : name.substr(0, kShown))
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (name.size() > kShown) out += "...(" + std::to_string(name.size()) + " bytes)";
    return out;
}

std::vector<std::string> split_entry_path(std::string_view name, const std::string& what) {
    if (name.size() >= PATH_MAX)
        throw unsafe(what + " has a name of " + std::to_string(name.size()) + " bytes, longer than the " +
                     std::to_string(PATH_MAX - 1) + " a path may have");
    if (!name.empty() && name.front() == '/')
        throw unsafe(what + " is an absolute path; layer entries must be relative to the root");
    std::vector<std::string> out;
    for (auto& c : split_link_target(name)) {
        if (c == ".") continue;
        if (c == "..") throw unsafe(what + " contains \"..\"; it could escape the root");
        if (c.size() > NAME_MAX)
            throw unsafe(what + " has a path component of " + std::to_string(c.size()) +
                         " bytes, longer than the " + std::to_string(NAME_MAX) + " a file name may have");
        out.push_back(std::move(c));
    }
    return out;
}

std::string join_path(const std::vector<std::string>& components, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count && i < components.size(); ++i) out += (i ? "/" : "") + components[i];
    return out;
}

std::optional<UniqueFd> SafeRoot::open_dir(const std::vector<std::string>& components,
                                           bool create_missing) const {
    std::vector<UniqueFd> stack;  // stack.back() is the current directory; stack[0] the root
    stack.emplace_back(::fcntl(root_, F_DUPFD_CLOEXEC, 0));
    if (!stack.back()) throw io_error("cannot open", "/", errno);
    std::deque<std::string> todo(components.begin(), components.end());
    std::string walked;  // for messages only
    int links = 0;
    while (!todo.empty()) {
        std::string c = std::move(todo.front());
        todo.pop_front();
        if (c.empty() || c == ".") continue;
        if (c == "..") {
            if (stack.size() > 1) stack.pop_back();  // ".." at the root stays at the root
            continue;
        }
        int cur = stack.back().get();
        walked += "/" + c;
        struct stat st {};
        if (::fstatat(cur, c.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT) throw io_error("cannot inspect", walked, errno);
            if (!create_missing) return std::nullopt;
            if (::mkdirat(cur, c.c_str(), 0755) != 0 && errno != EEXIST)
                throw io_error("cannot create directory", walked, errno);
            if (::fstatat(cur, c.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
                throw io_error("cannot inspect", walked, errno);
        }
        if (S_ISLNK(st.st_mode)) {
            if (++links > kMaxSymlinks)
                throw unsafe("too many levels of symbolic links at \"" + walked + "\"");
            std::string target(PATH_MAX, '\0');
            ssize_t n = ::readlinkat(cur, c.c_str(), target.data(), target.size());
            if (n < 0) throw io_error("cannot read symbolic link", walked, errno);
            target.resize(static_cast<std::size_t>(n));
            auto parts = split_link_target(target);
            if (!target.empty() && target.front() == '/') stack.resize(1);  // absolute: from the root
            todo.insert(todo.begin(), parts.begin(), parts.end());
            continue;
        }
        if (!S_ISDIR(st.st_mode))
            throw unsafe("\"" + walked + "\" is used as a directory but the layers made it a file");
        UniqueFd next(::openat(cur, c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next) throw io_error("cannot open directory", walked, errno);
        stack.push_back(std::move(next));
    }
    return std::move(stack.back());
}

std::optional<ParentDir> SafeRoot::parent_of(const std::vector<std::string>& components,
                                             bool create_missing) const {
    std::vector<std::string> dir(components.begin(), components.end() - 1);
    auto fd = open_dir(dir, create_missing);
    if (!fd) return std::nullopt;
    return ParentDir{std::move(*fd), components.back()};
}

void remove_tree_at(int dir_fd, const std::string& name) {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return;
        throw io_error("cannot inspect", name, errno);
    }
    if (S_ISDIR(st.st_mode)) {
        int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) throw io_error("cannot open directory", name, errno);
        DIR* d = ::fdopendir(fd);
        if (!d) {
            int err = errno;
            ::close(fd);
            throw io_error("cannot list directory", name, err);
        }
        std::vector<std::string> children;
        while (dirent* e = ::readdir(d)) {
            if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
            children.emplace_back(e->d_name);
        }
        try {
            for (const auto& child : children) remove_tree_at(::dirfd(d), child);
        } catch (...) {
            ::closedir(d);
            throw;
        }
        ::closedir(d);
        if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
            throw io_error("cannot remove directory", name, errno);
        return;
    }
    if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT)
        throw io_error("cannot remove", name, errno);
}

}  // namespace boxtool::output
