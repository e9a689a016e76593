// The verified blob files one pull handed to a sink, by digest: what the built-in outputs read
// (small ones through util::read_verified_file).
#pragma once

#include <filesystem>
#include <map>

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

}  // namespace boxtool::output
