#include "boxtool/progress.hpp"

#include <cstdio>
#include <ctime>

#include "util/json_text.hpp"
#include "util/text.hpp"

namespace boxtool {

const char* to_string(ProgressEvent::Type type) noexcept {
    switch (type) {
        case ProgressEvent::Type::CandidateStart:
            return "candidate-start";
        case ProgressEvent::Type::CandidateFailed:
            return "candidate-failed";
        case ProgressEvent::Type::Resolved:
            return "resolved";
        case ProgressEvent::Type::BlobQueued:
            return "blob-queued";
        case ProgressEvent::Type::BlobCached:
            return "blob-cached";
        case ProgressEvent::Type::BlobStart:
            return "blob-start";
        case ProgressEvent::Type::BlobProgress:
            return "blob-progress";
        case ProgressEvent::Type::BlobVerifying:
            return "blob-verifying";
        case ProgressEvent::Type::BlobDone:
            return "blob-done";
        case ProgressEvent::Type::BlobRetry:
            return "blob-retry";
        case ProgressEvent::Type::LayerUnpacking:
            return "layer-unpacking";
        case ProgressEvent::Type::LayerUnpacked:
            return "layer-unpacked";
        case ProgressEvent::Type::OutputWritten:
            return "output-written";
        case ProgressEvent::Type::BlobDiscarded:
            return "blob-discarded";
    }
    return "unknown";
}

std::string to_json(const ProgressEvent& e) {
    std::string out = "{\"event\":" + util::json_quote(to_string(e.type));
    auto field = [&](const char* name, const std::string& value) {
        if (!value.empty()) out += std::string(",\"") + name + "\":" + util::json_quote(value);
    };
    out += ",\"time\":" + util::json_quote(util::rfc3339_ms(e.time));
    field("image", e.image);
    field("registry", e.registry);
    field("repository", e.repository);
    if (e.digest) field("digest", e.digest->str());
    field("mediaType", e.media_type);
    if (e.current || e.total) {
        out += ",\"current\":" + std::to_string(e.current);
        out += ",\"total\":" + std::to_string(e.total);
    }
    if (e.attempt) out += ",\"attempt\":" + std::to_string(e.attempt);
    if (e.platform) field("platform", e.platform->str());
    if (e.error) {
        out += ",\"error\":{\"kind\":" + util::json_quote(to_string(e.error->kind)) +
               ",\"message\":" + util::json_quote(e.error->message);
        if (!e.error->hint.empty()) out += ",\"hint\":" + util::json_quote(e.error->hint);
        out += "}";
    }
    field("message", e.message);
    return out + "}";
}

}  // namespace boxtool
