#include "plugin_library.hpp"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>

#include "boxtool/error.hpp"

namespace boxtool::plugins {
namespace {

Failure refuse(const std::filesystem::path& path, const std::string& why, std::string hint = {}) {
    if (hint.empty())
        hint = "remove the plugin from credential_sources, or replace the file with a working build";
    return Failure(ErrorKind::Plugin, "refusing credential plugin " + path.string() + ": " + why,
                   std::move(hint));
}

void check_owner_and_mode(const std::filesystem::path& path, const std::filesystem::path& plugin,
                          bool is_dir) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw refuse(plugin, "cannot stat " + path.string(), "check that the plugin exists and is readable");
    if (!is_dir && !S_ISREG(st.st_mode)) throw refuse(plugin, "it is not a regular file");
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        throw refuse(plugin,
                     std::string(is_dir ? "its folder " + path.string() : "it") +
                         " is owned by another user (uid " + std::to_string(st.st_uid) + ")",
                     "plugins must be owned by root or by the user running boxtool");
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        throw refuse(
            plugin,
            std::string(is_dir ? "its folder " + path.string() : "it") + " is writable by other users",
            "run: chmod go-w " + path.string());
}

}  // namespace

void check_plugin_file_permissions(const std::filesystem::path& path) {
    std::error_code ec;
    auto real = std::filesystem::canonical(path, ec);
    if (ec) throw refuse(path, "cannot resolve it: " + ec.message(), "check the plugin path and plugin_dirs");
    check_owner_and_mode(real, path, false);
    check_owner_and_mode(real.parent_path(), path, true);
}

std::shared_ptr<PluginLibrary> PluginLibrary::load(const std::filesystem::path& path,
                                                   const std::string& expected_name) {
    check_plugin_file_permissions(path);
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
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
    return std::shared_ptr<PluginLibrary>(new PluginLibrary(path, handle, table));
}

PluginLibrary::~PluginLibrary() {
    if (handle_) ::dlclose(handle_);
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
