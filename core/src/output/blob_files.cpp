#include "output/blob_files.hpp"

#include "boxtool/error.hpp"

namespace boxtool::output {

const std::filesystem::path& BlobFiles::path(const Digest& digest) const {
    auto it = paths_.find(digest);
    if (it == paths_.end())
        throw Failure(ErrorKind::Internal,
                      "the output was not given blob " + digest.str() + " before finishing");
    return it->second;
}

}  // namespace boxtool::output
