// The part the built-in outputs share: remember the image and the verified blob files as they
// arrive; the output itself is written by the subclass (in finish(), or on its own thread).
#pragma once

#include <optional>

#include "boxtool/output_sink.hpp"
#include "output/blob_files.hpp"

namespace boxtool::output {

class CollectingSink : public OutputSink {
  public:
    Result<void> prepare(const ResolvedImage& image, SinkContext& context) override {
        image_ = image;
        context_ = &context;
        blobs_.clear();
        return {};
    }
    Result<void> blob_stored(const StoredBlob& blob) override {
        blobs_.add(blob);
        return {};
    }
    void abort() noexcept override {
        image_.reset();
        blobs_.clear();
    }

  protected:
    std::optional<ResolvedImage> image_;
    SinkContext* context_ = nullptr;
    BlobFiles blobs_;
};

// Runs `write` and returns its failure as an Error, placed at the image's registry and repository.
template <typename Write>
Result<void> as_result(const ResolvedImage& image, Write&& write) {
    try {
        write();
        return {};
    } catch (const Failure& f) {
        Error e = f.error();
        if (e.registry.empty()) e.registry = image.reference.registry;
        if (e.repository.empty()) e.repository = image.reference.repository;
        return e;
    } catch (const std::exception& e) {
        return Error{ErrorKind::Io, std::string("cannot write the output: ") + e.what(),
                     image.reference.registry, image.reference.repository, ""};
    }
}

}  // namespace boxtool::output
