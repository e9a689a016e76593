#include "output/tar_file_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "boxtool/error.hpp"
#include "util/temp_path.hpp"

namespace boxtool::output {
namespace fs = std::filesystem;
namespace {
constexpr std::size_t kChunk = 256 * 1024;
}

TarFileWriter::TarFileWriter(const fs::path& target_in) {
    target_ = fs::absolute(target_in).lexically_normal();
    std::error_code ec;
    if (fs::is_directory(target_, ec))
        throw Failure(ErrorKind::Io, "cannot write an archive to " + target_.string() + ": it is a directory",
                      "name a file, e.g. --output docker-archive:image.tar");
    fs::create_directories(target_.parent_path(), ec);
    temp_ = util::sibling_temp_path(target_);
    fd_ = ::open(temp_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw Failure(ErrorKind::Io, "cannot create " + temp_.string() + ": " + std::strerror(errno),
                      "check that the archive's directory exists and is writable");
    tar_ = archive_write_new();
    archive_write_set_format_pax_restricted(tar_);
    archive_write_set_bytes_per_block(tar_, 10240);
    if (archive_write_open_fd(tar_, fd_) != ARCHIVE_OK) fail("cannot start writing");
}

TarFileWriter::~TarFileWriter() {
    if (tar_) archive_write_free(tar_);
    if (fd_ >= 0) ::close(fd_);
    if (!temp_.empty()) ::unlink(temp_.c_str());
}

void TarFileWriter::fail(const std::string& what) {
    const char* why = tar_ ? archive_error_string(tar_) : nullptr;
    throw Failure(ErrorKind::Io, what + " " + temp_.string() + ": " + (why ? why : "write error"),
                  "check free space where the archive is written");
}

void TarFileWriter::header(const std::string& name, std::uint64_t size, bool directory) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), directory ? 0755 : 0644);
    archive_entry_set_size(e.get(), directory ? 0 : static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), 0, 0);  // reproducible archives for the same image
    if (archive_write_header(tar_, e.get()) != ARCHIVE_OK) fail("cannot write an entry header to");
    left_ = directory ? 0 : size;
}

void TarFileWriter::data(const char* bytes, std::size_t size) {
    if (size > left_) throw Failure(ErrorKind::Internal, "tar entry longer than its declared size");
    while (size > 0) {
        la_ssize_t n = archive_write_data(tar_, bytes, size);
        if (n <= 0) fail("cannot write to");
        bytes += n;
        size -= static_cast<std::size_t>(n);
        left_ -= static_cast<std::uint64_t>(n);
    }
}

void TarFileWriter::add_directory(const std::string& name) {
    header(name, 0, true);
}

void TarFileWriter::add_bytes(const std::string& name, std::string_view content) {
    header(name, content.size(), false);
    data(content.data(), content.size());
}

void TarFileWriter::add_stream(
    const std::string& name, std::uint64_t size,
    const std::function<void(const std::function<void(const char*, std::size_t)>&)>& fill) {
    header(name, size, false);
    fill([this](const char* bytes, std::size_t n) { data(bytes, n); });
    if (left_ != 0)
        throw Failure(ErrorKind::Internal, "tar entry " + name + " shorter than its declared size");
}

void TarFileWriter::add_file(const std::string& name, const fs::path& source) {
    int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) throw Failure(ErrorKind::Io, "cannot open " + source.string() + ": " + std::strerror(errno));
    std::error_code ec;
    auto size = fs::file_size(source, ec);
    try {
        add_stream(name, size, [&](const auto& sink) {
            std::unique_ptr<char[]> buf(new char[kChunk]);
            for (;;) {
                ssize_t n = ::read(in, buf.get(), kChunk);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0)
                    throw Failure(ErrorKind::Io,
                                  "cannot read " + source.string() + ": " + std::strerror(errno));
                if (n == 0) break;
                sink(buf.get(), static_cast<std::size_t>(n));
            }
        });
    } catch (...) {
        ::close(in);
        throw;
    }
    ::close(in);
}

void TarFileWriter::commit() {
    if (archive_write_close(tar_) != ARCHIVE_OK) fail("cannot finish");
    archive_write_free(tar_);
    tar_ = nullptr;
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
        fd_ = -1;
        throw Failure(ErrorKind::Io, "cannot write " + temp_.string() + ": " + std::strerror(errno));
    }
    fd_ = -1;
    if (::rename(temp_.c_str(), target_.c_str()) != 0)
        throw Failure(ErrorKind::Io,
                      "cannot move the archive to " + target_.string() + ": " + std::strerror(errno),
                      "check that the target is not a directory and its directory is writable");
    temp_.clear();
}

}  // namespace boxtool::output
