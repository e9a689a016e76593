/// \file
/// Where a pulled image goes: the interface every output implements. The engine resolves the
/// image, fetches its blobs into the content-addressed store (each verified against its digest
/// before anyone sees it) and hands each one to the pull's sinks; what a sink makes of them is its
/// own business. The four built-in outputs (OCI layout, oci-archive, docker-archive, rootfs) are
/// sinks made by make_output() in output.hpp; an embedder can pass sinks of their own.
///
/// The order of calls for one pull:
///
///     prepare(image, context)      once the manifest is known, before any blob is fetched
///     blob_stored(blob)            once per distinct blob (config and layers), as each is verified;
///                                  in any order: a sink that needs order (rootfs) keeps it itself
///     finish()                     after every blob was stored: publish the output, atomically
///     abort()                      instead of finish() when the pull fails or is cancelled, at any
///                                  point after prepare(): remove everything partial
///
/// When a registry candidate fails after prepare(), the sink is aborted and prepare() is called
/// again for the next candidate, whose image may differ. Calls to one sink never overlap, but
/// blob_stored() comes from the engine's download threads: return quickly, and do long work on a
/// thread of your own (see SinkContext). A sink that fails returns an Error: the engine stops the
/// pull (downloads in flight stop, none start), calls abort(), and pull() returns that Error.
///
///     class CountingSink final : public boxtool::OutputSink {
///       public:
///         std::string describe() const override { return "counter"; }
///         boxtool::Result<void> prepare(const boxtool::ResolvedImage&, boxtool::SinkContext&) override {
///             return {};
///         }
///         boxtool::Result<void> blob_stored(const boxtool::StoredBlob& blob) override {
///             bytes += blob.descriptor.size;
///             return {};
///         }
///         boxtool::Result<boxtool::OutputReport> finish() override { return boxtool::OutputReport{"counter"}; }
///         void abort() noexcept override {}
///         std::uint64_t bytes = 0;
///     };
#pragma once

#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/error.hpp"
#include "boxtool/export.hpp"
#include "boxtool/manifest.hpp"
#include "boxtool/progress.hpp"
#include "boxtool/reference.hpp"

namespace boxtool {

/// The image a pull resolved, as a sink sees it in prepare().
struct ResolvedImage {
    Reference requested;     ///< what the caller asked for, parsed (an unqualified name stays unqualified)
    Reference reference;     ///< the candidate that serves it: registry, repository, tag or digest
    Digest digest;           ///< what the reference resolved to: an index, or the manifest itself
    std::string media_type;  ///< of that document
    Digest manifest_digest;  ///< the platform manifest pulled
    std::string manifest_media_type;
    std::string manifest_bytes;        ///< exactly as served (and verified against manifest_digest)
    Manifest manifest;                 ///< parsed
    std::optional<Platform> platform;  ///< from the index; else from the config once it is stored
};

/// A verified blob in the store. The file is shared by every pull and must not be modified: read
/// it, copy it, or hard-link it.
struct StoredBlob {
    Descriptor descriptor;
    std::filesystem::path path;
    bool downloaded = false;  ///< false: it was already in the store
};

/// What a finished output tells the caller (and `boxtool pull` prints).
struct OutputReport {
    std::string where;     ///< "oci:DIR:TAG", "rootfs:DIR", ... or what the sink calls itself
    std::string ref_name;  ///< the tag or name written into the output, if any
    /// The manifest the output holds when it differs from the one pulled (Docker media types
    /// converted to OCI for a layout).
    std::optional<Digest> written_manifest;
    std::vector<std::string> warnings;  ///< caveats for the user (what a rootless unpack skipped)
};

/// What the engine offers a sink for one pull, from prepare() until finish() or abort() returns.
/// Every member may be called from any thread.
class BOXTOOL_API SinkContext {
  public:
    virtual ~SinkContext() = default;
    /// Requested when the pull is cancelled or has failed: stop working soon.
    virtual std::stop_token stop_token() const = 0;
    /// Fails the pull from a sink's own thread (say, an unpack that hit a hostile layer): downloads
    /// stop, abort() follows, and pull() returns this error. The first failure wins.
    virtual void fail(Error error) = 0;
    /// Adds an event to the pull's progress (type, digest and the like; image, registry, repository
    /// and time are filled in). Delivered on the caller's thread like every event.
    virtual void report(ProgressEvent event) = 0;
};

class BOXTOOL_API OutputSink {
  public:
    virtual ~OutputSink() = default;
    /// How messages name this output: "rootfs:/srv/app".
    virtual std::string describe() const = 0;
    virtual Result<void> prepare(const ResolvedImage& image, SinkContext& context) = 0;
    virtual Result<void> blob_stored(const StoredBlob& blob) = 0;
    virtual Result<OutputReport> finish() = 0;
    virtual void abort() noexcept = 0;
};

}  // namespace boxtool
