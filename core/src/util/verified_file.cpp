#include "util/verified_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace boxtool::util {

std::optional<std::string> read_verified_file(const std::filesystem::path& file, const Digest& digest,
                                              std::size_t max_bytes, bool own_only) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return std::nullopt;
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (own_only && st.st_uid != ::geteuid()) ||
        static_cast<std::uint64_t>(st.st_size) > max_bytes)
        return std::nullopt;
    // Sized by the file, not by the limit: a buffer of max_bytes (16 MiB for configs) would be
    // zero-filled, and so resident, on every pull. One byte more tells a file that grew meanwhile.
    std::string data(static_cast<std::size_t>(st.st_size) + 1, '\0');
    std::size_t got = 0;
    while (got < data.size()) {
        ssize_t n = ::read(fd, data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    if (data.size() > max_bytes) return std::nullopt;
    // A file grown past its size is read only up to size + 1; whatever it holds, the digest decides.
    if (digest_of(data, digest.algorithm) != digest) return std::nullopt;
    return data;
}

}  // namespace boxtool::util
