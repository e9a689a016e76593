// Progress events. The library never writes to stdout; front ends render these.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace boxtool {

struct ProgressEvent {
    enum class Type {
        CandidateStart,   // trying a registry candidate (message: the reason it was chosen)
        CandidateFailed,  // that candidate failed (message: why); the next one is tried
        Resolved,         // manifest resolved (digest: manifest digest, message: platform)
        BlobStart,        // a blob download begins (total: size)
        BlobProgress,     // bytes arrived (current: bytes so far, total: size)
        BlobDone,         // verified and stored
        BlobCached,       // already in the store, not downloaded
        BlobRetry,        // a transient failure; the download resumes at `current` (message: why)
        OutputWritten,    // the output is complete (message: where)
    };
    Type type;
    std::string registry;
    std::string repository;
    std::string digest;
    std::string media_type;
    std::uint64_t current = 0;
    std::uint64_t total = 0;
    std::string message;
};

const char* to_string(ProgressEvent::Type type) noexcept;

// Called from the engine's worker threads, but never concurrently: the engine serializes calls.
using ProgressCallback = std::function<void(const ProgressEvent&)>;

}  // namespace boxtool
