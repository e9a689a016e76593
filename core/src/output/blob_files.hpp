// The verified blob files one pull handed to a sink, by digest: what the built-in outputs read.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "boxtool/digest.hpp"
#include "boxtool/output_sink.hpp"

namespace boxtool::output {

class BlobFiles {
  public:
    void add(const StoredBlob& blob) { paths_[blob.descriptor.digest] = blob.path; }
    bool has(const Digest& digest) const { return paths_.count(digest) != 0; }
    // Throws Failure(Internal) for a blob the engine never handed over.
    const std::filesystem::path& path(const Digest& digest) const;
    void clear() { paths_.clear(); }

  private:
    std::map<Digest, std::filesystem::path> paths_;
};

// The file's bytes if it holds at most `max_bytes` and hashes to `digest`; nothing otherwise.
std::optional<std::string> read_verified(const std::filesystem::path& file, const Digest& digest,
                                         std::size_t max_bytes);

}  // namespace boxtool::output
