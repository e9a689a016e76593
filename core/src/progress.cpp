#include "boxtool/progress.hpp"

namespace boxtool {

const char* to_string(ProgressEvent::Type type) noexcept {
    switch (type) {
        case ProgressEvent::Type::CandidateStart:
            return "candidate-start";
        case ProgressEvent::Type::CandidateFailed:
            return "candidate-failed";
        case ProgressEvent::Type::Resolved:
            return "resolved";
        case ProgressEvent::Type::BlobStart:
            return "blob-start";
        case ProgressEvent::Type::BlobProgress:
            return "blob-progress";
        case ProgressEvent::Type::BlobDone:
            return "blob-done";
        case ProgressEvent::Type::BlobCached:
            return "blob-cached";
        case ProgressEvent::Type::BlobRetry:
            return "blob-retry";
        case ProgressEvent::Type::OutputWritten:
            return "output-written";
    }
    return "unknown";
}

}  // namespace boxtool
