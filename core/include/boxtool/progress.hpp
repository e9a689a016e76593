/// \file
/// Progress events: what a pull is doing, for front ends to render. The library never writes to
/// stdout or stderr; it hands these to the ProgressCallback in PullOptions.
///
/// Delivery: on the thread that called Engine::pull() (or inspect()), one at a time, in the order
/// they happened, and never after pull() has returned. The engine's download and unpack threads
/// queue events; the calling thread delivers them. A callback may therefore touch the caller's
/// state without locks, but it should return quickly: downloads go on meanwhile, and a slow
/// callback only delays what is shown. An exception thrown by a callback is swallowed.
///
///     boxtool::PullOptions options;
///     options.progress = [](const boxtool::ProgressEvent& e) {
///         if (e.type == boxtool::ProgressEvent::Type::BlobDone)
///             std::printf("%s done\n", e.digest->short_str().c_str());
///     };
///
/// to_json() gives the one-line JSON form `boxtool pull --progress json` prints.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "boxtool/digest.hpp"
#include "boxtool/error.hpp"
#include "boxtool/export.hpp"
#include "boxtool/platform.hpp"

namespace boxtool {

struct ProgressEvent {
    enum class Type {
        CandidateStart,   ///< trying a registry candidate (message: why it was chosen)
        CandidateFailed,  ///< that candidate failed (error: why); the next one is tried
        Resolved,      ///< the manifest is known (digest: the platform manifest; platform; total: blob bytes)
        BlobQueued,    ///< right after Resolved, once per blob the image needs (total: its size)
        BlobCached,    ///< the blob is already in the store: nothing to download
        BlobStart,     ///< its download begins (current: where it resumes; total: size)
        BlobProgress,  ///< bytes arrived (current: bytes so far, total: size)
        BlobVerifying,   ///< every byte arrived; digest and size are checked, the file is made durable
        BlobDone,        ///< verified and in the store
        BlobRetry,       ///< a transient failure; the next attempt resumes at `current` (error: why)
        LayerUnpacking,  ///< an output began unpacking this layer (rootfs, docker-archive)
        LayerUnpacked,   ///< ... and finished it
        OutputWritten,   ///< an output is complete (message: where, as "oci:DIR:TAG")
        /// A copy already in the store failed its check (wrong bytes, wrong size, not the user's
        /// file) and was removed; it is downloaded again (message: what was wrong). A warning.
        BlobDiscarded,
    };
    Type type = Type::CandidateStart;
    std::chrono::system_clock::time_point time;  ///< when it happened
    std::string image;                           ///< the reference pull() was given, as given
    std::string registry;                        ///< the candidate registry and repository
    std::string repository;
    std::optional<Digest> digest;  ///< the blob or manifest the event is about
    std::string media_type;
    std::uint64_t current = 0;
    std::uint64_t total = 0;
    int attempt = 0;                   ///< BlobRetry: the attempt that failed, from 1
    std::optional<Platform> platform;  ///< Resolved
    std::optional<Error> error;        ///< CandidateFailed, BlobRetry
    std::string message;               ///< a line for people: the candidate's reason, an output's place
};

/// "candidate-start", "blob-progress", ...: the "event" field of the JSON form.
BOXTOOL_API const char* to_string(ProgressEvent::Type type) noexcept;

/// One line of JSON without a newline: {"event":"blob-done","time":"2026-11-30T10:00:00.123Z",...}.
/// Fields that do not apply are left out. Text from registries is escaped as JSON requires.
BOXTOOL_API std::string to_json(const ProgressEvent& event);

using ProgressCallback = std::function<void(const ProgressEvent&)>;

}  // namespace boxtool
