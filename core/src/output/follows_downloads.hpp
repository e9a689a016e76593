// What the engine's own sinks implement, beside OutputSink, to read blobs while they download
// (the rootfs output unpacks a layer as it arrives). Not part of the public sink interface: an
// embedder's sink sees each blob once it is stored, as documented in output_sink.hpp.
#pragma once

#include <memory>

#include "store/arriving_blob.hpp"

namespace boxtool::output {

class FollowsDownloads {
  public:
    virtual ~FollowsDownloads() = default;
    // A blob has started downloading into the store; blob_stored() still follows once it is
    // verified. Called from a download thread, between prepare() and finish() or abort(); must
    // return quickly.
    virtual void blob_arriving(std::shared_ptr<const ArrivingBlob> blob) noexcept = 0;
};

}  // namespace boxtool::output
