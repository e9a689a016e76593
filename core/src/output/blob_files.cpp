#include "output/blob_files.hpp"

#include <fstream>

namespace boxtool::output {

const std::filesystem::path& BlobFiles::path(const Digest& digest) const {
    auto it = paths_.find(digest);
    if (it == paths_.end())
        throw Failure(ErrorKind::Internal,
                      "the output was not given blob " + digest.str() + " before finishing");
    return it->second;
}

std::optional<std::string> read_verified(const std::filesystem::path& file, const Digest& digest,
                                         std::size_t max_bytes) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    // Sized by the file, not by the limit: a buffer of max_bytes (16 MiB for configs) would be
    // zero-filled, and so resident, on every pull. One byte more tells a file that grew meanwhile.
    std::error_code ec;
    auto size = std::filesystem::file_size(file, ec);
    if (ec || size > max_bytes) return std::nullopt;
    std::string data;
    data.resize(static_cast<std::size_t>(size) + 1);
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(in.gcount()));
    if (data.size() > max_bytes) return std::nullopt;
    if (digest_of(data, digest.algorithm) != digest) return std::nullopt;
    return data;
}

}  // namespace boxtool::output
