#include "plugin_library.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

#include "boxtool/error.hpp"

namespace boxtool::plugins {
namespace {

Failure refuse(const std::filesystem::path& path, const std::string& why, std::string hint = {}) {
    if (hint.empty())
        hint = "remove the plugin from credential_sources, or replace the file with a working build";
    return Failure(ErrorKind::Plugin, "refusing credential plugin " + path.string() + ": " + why,
                   std::move(hint));
}

// Root or the user running boxtool may own it, and nobody else may write to it; a folder
// writable by others is acceptable only when sticky (as /tmp), where they cannot rename what
// is not theirs.
void check_owner_and_mode(const struct stat& st, const std::filesystem::path& what,
                          const std::filesystem::path& plugin, bool is_dir, bool sticky_ok = false) {
    const std::string subject = is_dir ? "its folder " + what.string() : "it";
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        throw refuse(plugin, subject + " is owned by another user (uid " + std::to_string(st.st_uid) + ")",
                     "plugins, and every folder above them, must be owned by root or by the user running "
                     "boxtool");
    bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    if (others_write && !(sticky_ok && (st.st_mode & S_ISVTX)))
        throw refuse(plugin, subject + " is writable by other users", "run: chmod go-w " + what.string());
}

// The plugin's folder, with symlinks resolved, and every folder above it up to /: whoever may
// write to one of them may swap the plugin for another file.
void check_folders(const std::filesystem::path& dir, const std::filesystem::path& plugin) {
    for (std::filesystem::path d = dir;; d = d.parent_path()) {
        struct stat st {};
        if (::stat(d.c_str(), &st) != 0)
            throw refuse(plugin, "cannot stat its folder " + d.string(), "check plugin_dirs");
        // The plugin's own folder may not be sticky and shared: others could add files to it.
        check_owner_and_mode(st, d, plugin, true, d != dir);
        if (d == d.root_path() || d.parent_path() == d) break;
    }
}

// Opens the plugin for loading: its folder resolved and checked up to the root, the file itself
// opened without following a symlink, and checked through the descriptor, so what is checked is
// exactly what dlopen("/proc/self/fd/N") maps, whatever happens to the path meanwhile.
int open_checked(const std::filesystem::path& path) {
    std::error_code ec;
    const auto given = std::filesystem::absolute(path, ec).parent_path();
    auto dir = std::filesystem::canonical(given, ec);
    if (ec)
        throw refuse(path, "cannot resolve its folder: " + ec.message(),
                     "check the plugin path and plugin_dirs");
    // Both the folders the path names (another user's symlink on the way could be re-pointed) and
    // the ones it really leads to.
    if (given.lexically_normal() != dir) check_folders(given.lexically_normal(), path);
    check_folders(dir, path);
    const auto file = dir / path.filename();
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        if (err == ELOOP)
            throw refuse(path, "it is a symbolic link",
                         "name the real file (or a folder holding it) in plugin_dirs / credential_sources");
        throw refuse(path, std::string("cannot open it: ") + std::strerror(err),
                     "check that the plugin exists and is readable");
    }
    struct stat st {};
    try {
        if (::fstat(fd, &st) != 0) throw refuse(path, "cannot stat it");
        if (!S_ISREG(st.st_mode)) throw refuse(path, "it is not a regular file");
        check_owner_and_mode(st, file, path, false);
    } catch (...) {
        ::close(fd);
        throw;
    }
    return fd;
}

// glibc finds an already loaded library by its name before it opens anything, so the name
// "/proc/self/fd/N" must not stand for another file while a library of that name is loaded. Each
// loaded file keeps one descriptor open (shared by the loads of the same file) until its last
// PluginLibrary is gone: no other library can be given that number meanwhile.
struct OpenPlugin {
    int fd;
    int users;
};
std::mutex g_open_mutex;
std::map<std::pair<dev_t, ino_t>, OpenPlugin> g_open_plugins;  // guarded by g_open_mutex

// Registers a checked descriptor; returns the one to load through (an earlier one for the same
// file, the new one closed) and the file's key.
int share_descriptor(int fd, std::pair<dev_t, ino_t>& key) {
    struct stat st {};
    ::fstat(fd, &st);
    key = {st.st_dev, st.st_ino};
    std::lock_guard lock(g_open_mutex);
    auto it = g_open_plugins.find(key);
    if (it == g_open_plugins.end()) {
        g_open_plugins.emplace(key, OpenPlugin{fd, 1});
        return fd;
    }
    ::close(fd);
    ++it->second.users;
    return it->second.fd;
}

void release_descriptor(const std::pair<dev_t, ino_t>& key) {
    std::lock_guard lock(g_open_mutex);
    auto it = g_open_plugins.find(key);
    if (it == g_open_plugins.end()) return;
    if (--it->second.users == 0) {
        ::close(it->second.fd);
        g_open_plugins.erase(it);
    }
}

}  // namespace

void check_plugin_file_permissions(const std::filesystem::path& path) {
    ::close(open_checked(path));
}

std::shared_ptr<PluginLibrary> PluginLibrary::load(const std::filesystem::path& path,
                                                   const std::string& expected_name) {
    std::pair<dev_t, ino_t> key;
    const int fd = share_descriptor(open_checked(path), key);
    // The very file that was checked, whatever happens to `path` meanwhile.
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    void* handle = ::dlopen(self.c_str(), RTLD_NOW | RTLD_LOCAL);
    struct Releaser {
        std::pair<dev_t, ino_t> key;
        bool armed = true;
        ~Releaser() {
            if (armed) release_descriptor(key);
        }
    } releaser{key};
    if (!handle) {
        const char* why = ::dlerror();
        throw refuse(path, std::string("cannot load it: ") + (why ? why : "unknown dlopen error"),
                     "check that it was built for this system and that its libraries are installed");
    }
    struct Closer {
        void* h;
        ~Closer() {
            if (h) ::dlclose(h);
        }
    } closer{handle};

    using Entry = const boxtool_credential_plugin* (*)();
    void* sym = ::dlsym(handle, BOXTOOL_CREDENTIAL_PLUGIN_ENTRY_NAME);
    if (!sym) {
        // Name the version it was built for when it is a boxtool plugin of another major version.
        for (int major = 0; major <= 9; ++major) {
            if (major == BOXTOOL_CREDENTIAL_ABI_MAJOR) continue;
            std::string other = "boxtool_credential_plugin_v" + std::to_string(major);
            if (::dlsym(handle, other.c_str()))
                throw refuse(path,
                             "it was built for plugin ABI major version " + std::to_string(major) +
                                 ", this boxtool speaks version " +
                                 std::to_string(BOXTOOL_CREDENTIAL_ABI_MAJOR),
                             "rebuild the plugin against this boxtool's plugins/abi headers");
        }
        throw refuse(
            path, std::string("it does not export the entry symbol ") + BOXTOOL_CREDENTIAL_PLUGIN_ENTRY_NAME,
            "is this a boxtool credential plugin? Plugins are built with BOXTOOL_CREDENTIAL_PLUGIN "
            "or export that function themselves");
    }
    const boxtool_credential_plugin* table = nullptr;
    try {
        table = reinterpret_cast<Entry>(sym)();
    } catch (...) {
        throw refuse(path, "its entry function threw an exception");
    }
    if (!table) throw refuse(path, "its entry function returned no plugin table");
    constexpr auto kMinSize = offsetof(boxtool_credential_plugin, destroy) + sizeof(table->destroy);
    if (table->struct_size < kMinSize)
        throw refuse(path,
                     "its plugin table is too small (" + std::to_string(table->struct_size) + " bytes)");
    if (table->abi_major != BOXTOOL_CREDENTIAL_ABI_MAJOR)
        throw refuse(path,
                     "its table declares plugin ABI major version " + std::to_string(table->abi_major) +
                         ", this boxtool speaks version " + std::to_string(BOXTOOL_CREDENTIAL_ABI_MAJOR),
                     "rebuild the plugin against this boxtool's plugins/abi headers");
    if (!table->name || !*table->name) throw refuse(path, "its table has no name");
    if (!table->create) throw refuse(path, "its create function is NULL");
    if (!table->get) throw refuse(path, "its get function is NULL");
    if (!table->destroy) throw refuse(path, "its destroy function is NULL");
    if (!expected_name.empty() && expected_name != table->name)
        throw refuse(path,
                     "it calls itself \"" + std::string(table->name) + "\", but was asked for as \"" +
                         expected_name + "\"",
                     "use the name the plugin declares in credential_sources");
    closer.h = nullptr;
    releaser.armed = false;
    return std::shared_ptr<PluginLibrary>(new PluginLibrary(path, handle, table, key.first, key.second));
}

PluginLibrary::~PluginLibrary() {
    if (handle_) ::dlclose(handle_);
    release_descriptor({device_, inode_});
}

bool PluginLibrary::has_describe() const noexcept {
    constexpr auto kEnd = offsetof(boxtool_credential_plugin, describe) + sizeof(table_->describe);
    return table_->struct_size >= kEnd && table_->describe != nullptr;
}

bool PluginLibrary::has_get_resource() const noexcept {
    constexpr auto kEnd = offsetof(boxtool_credential_plugin, get_resource) + sizeof(table_->get_resource);
    return table_->struct_size >= kEnd && table_->abi_minor >= 1 && table_->get_resource != nullptr;
}

}  // namespace boxtool::plugins
