// Loading one credential plugin file and checking it before any of its answers are trusted.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "boxtool/credential_plugin.h"

namespace boxtool::plugins {

// A loaded, checked plugin file. Stays loaded while any instance made from it lives.
class PluginLibrary {
  public:
    // Loads `path` with immediate binding and local symbols. Throws Failure(Plugin) naming the
    // file when it is writable by other users (or its folder is), cannot be loaded, lacks the
    // entry symbol, was built for another major ABI version, or has a malformed table.
    // `expected_name`, when not empty, must equal the name the plugin declares.
    static std::shared_ptr<PluginLibrary> load(const std::filesystem::path& path,
                                               const std::string& expected_name = {});
    ~PluginLibrary();
    PluginLibrary(const PluginLibrary&) = delete;
    PluginLibrary& operator=(const PluginLibrary&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }
    const boxtool_credential_plugin& table() const noexcept { return *table_; }
    std::string name() const { return table_->name; }
    std::string version() const { return table_->version ? table_->version : "?"; }
    // describe exists only from the minor version that added it on, and may be NULL.
    bool has_describe() const noexcept;
    // get_resource exists from ABI 1.1 on (a 1.0 table ends before it), and may be NULL.
    bool has_get_resource() const noexcept;

  private:
    PluginLibrary(std::filesystem::path path, void* handle, const boxtool_credential_plugin* table,
                  dev_t device, ino_t inode)
        : path_(std::move(path)), handle_(handle), table_(table), device_(device), inode_(inode) {}
    std::filesystem::path path_;
    void* handle_;
    const boxtool_credential_plugin* table_;
    dev_t device_;  // the file loaded, whose descriptor stays open while it is (see the .cpp)
    ino_t inode_;
};

// Throws Failure(Plugin) when `path` or its folder can be written by users other than its owner,
// or is owned by someone other than root or the current user: such a file could be swapped for
// code that then runs with the user's credentials.
void check_plugin_file_permissions(const std::filesystem::path& path);

}  // namespace boxtool::plugins
