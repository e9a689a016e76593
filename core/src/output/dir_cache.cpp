#include "output/dir_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace boxtool::output {

void DirCache::invalidate() {
    for (auto& [_, fd] : dirs_) retiring_.push_back(std::move(fd));
    dirs_.clear();
    made_.clear();
    ++generation_;
}

void DirCache::made(const std::vector<std::string>& components, std::size_t count, const DirRef& parent) {
    // A parent handed out before the last invalidate() may be closed soon: never remembered.
    if (!parent || count == 0 || parent.generation != generation_) return;
    std::size_t depth = static_cast<std::size_t>(std::count(parent.below.begin(), parent.below.end(), '/'));
    if (depth + 1 > kMaxBelow || made_.size() >= kMaxOpen) return;  // opened when next needed
    made_[join_path(components, count)] =
        DirRef{parent.fd, parent.below + components[count - 1] + "/", generation_};
}

DirRef DirCache::find(const std::vector<std::string>& components, std::size_t count, bool create_missing) {
    if (count > 0) {
        if (auto it = made_.find(join_path(components, count)); it != made_.end()) {
            // What was forgotten before the previous call can no longer be in use.
            retired_ = std::move(retiring_);
            retiring_.clear();
            return it->second;
        }
    }
    int fd = open_dir(components, count, create_missing);
    return DirRef{fd, {}, generation_};
}

int DirCache::remember(std::string key, UniqueFd fd) {
    if (dirs_.size() >= kMaxOpen) invalidate();
    int raw = fd.get();
    dirs_[std::move(key)] = std::move(fd);
    return raw;
}

int DirCache::open_dir(const std::vector<std::string>& components, std::size_t count, bool create_missing) {
    // What was forgotten before the previous call can no longer be in use.
    retired_ = std::move(retiring_);
    retiring_.clear();
    if (count == 0) return root_.fd();
    // The longest cached prefix: keys are the joined components ("usr/share/doc").
    std::vector<std::size_t> ends;  // ends[i]: length of the key of the first i+1 components
    std::string key;
    for (std::size_t i = 0; i < count; ++i) {
        if (i) key += '/';
        key += components[i];
        ends.push_back(key.size());
    }
    if (auto it = dirs_.find(key); it != dirs_.end()) return it->second.get();
    std::size_t have = count - 1;  // components resolved by the prefix found
    int cur = root_.fd();
    for (; have > 0; --have) {
        auto it = dirs_.find(key.substr(0, ends[have - 1]));
        if (it != dirs_.end()) {
            cur = it->second.get();
            break;
        }
    }
    // Below the prefix, real directories only; anything else goes the slow, symlink-aware way.
    for (std::size_t i = have; i < count; ++i) {
        const std::string& c = components[i];
        if (c.empty() || c == "." || c == "..") break;
        int fd = ::openat(cur, c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create_missing && ::mkdirat(cur, c.c_str(), 0755) == 0)
            fd = ::openat(cur, c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) break;
        // remember() may retire the old `cur`: it is not used after this.
        cur = remember(key.substr(0, ends[i]), UniqueFd(fd));
        have = i + 1;
    }
    if (have == count) return cur;
    std::vector<std::string> dir(components.begin(), components.begin() + static_cast<long>(count));
    auto fd = root_.open_dir(dir, create_missing);
    if (!fd) return -1;
    return remember(std::move(key), std::move(*fd));
}

}  // namespace boxtool::output
