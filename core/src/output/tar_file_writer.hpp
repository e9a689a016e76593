// Writes a tar file (POSIX pax) to a private file beside its target and renames it into place on
// commit(); destroyed without commit(), it removes the file. Used by the archive outputs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

struct archive;

namespace boxtool::output {

class TarFileWriter {
  public:
    explicit TarFileWriter(const std::filesystem::path& target);
    ~TarFileWriter();
    TarFileWriter(const TarFileWriter&) = delete;
    TarFileWriter& operator=(const TarFileWriter&) = delete;

    void add_directory(const std::string& name);
    void add_bytes(const std::string& name, std::string_view content);
    void add_file(const std::string& name, const std::filesystem::path& source);
    // An entry of `size` bytes whose content `fill` writes through the callback it is given.
    void add_stream(const std::string& name, std::uint64_t size,
                    const std::function<void(const std::function<void(const char*, std::size_t)>&)>& fill);
    // Finishes the archive, syncs it and renames it to the target.
    void commit();

  private:
    void header(const std::string& name, std::uint64_t size, bool directory);
    void data(const char* bytes, std::size_t size);
    [[noreturn]] void fail(const std::string& what);
    std::filesystem::path target_;
    std::filesystem::path temp_;
    int fd_ = -1;
    struct archive* tar_ = nullptr;
    std::uint64_t left_ = 0;  // bytes the current entry still expects
};

}  // namespace boxtool::output
