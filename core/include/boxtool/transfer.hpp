// Push, copy and tag listing: the engine's write half. An image is read from a source (a registry,
// an OCI layout, an OCI archive or a docker-archive) and written to a registry, a layout or an
// archive. Uploads are streamed from files and verified; blobs the destination has are skipped,
// blobs on the same registry are mounted; the manifest is written last, so a failed push leaves
// no tag pointing at missing content.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/engine.hpp"
#include "boxtool/export.hpp"

namespace boxtool {

struct TransferEvent {
    enum class Type {
        BlobExists,      // the destination has it: skipped (a HEAD said so)
        BlobMounted,     // mounted from another repository of the same registry
        BlobUploaded,    // streamed to the destination and verified
        BlobCopied,      // written into a local destination's store
        ManifestPushed,  // a manifest or index written (by digest, or by tag for the last one)
    };
    Type type = Type::BlobUploaded;
    Digest digest;
    std::uint64_t size = 0;
    std::string detail;  // the mount source, or the tag / digest a manifest was written as
};

struct TransferOptions {
    bool all_platforms = false;        // an index is copied whole; otherwise one platform's image
    std::optional<Platform> platform;  // empty: the host's
    int jobs = 0;                      // concurrent blob transfers; 0: a sensible default
    std::uint64_t chunk_size = 0;      // 0: each blob in one PUT; otherwise PATCH chunks of this size
    // Credentials for the source and destination registries; null: EngineOptions::credentials.
    std::shared_ptr<CredentialProvider> source_credentials;
    std::shared_ptr<CredentialProvider> destination_credentials;
    std::function<void(const TransferEvent&)> progress;  // called from transfer threads, one at a time
    // Once stop is requested, transfers stop at their next blob and copy() returns Cancelled; no
    // manifest is written after that, so the destination's tag is untouched.
    std::stop_token stop;
};

struct TransferResult {
    std::string source;             // as given
    std::string destination;        // as given
    Digest digest;                  // what the destination's tag now points at
    std::string media_type;         // of that manifest or index
    std::vector<Digest> manifests;  // every manifest written, children first
    int blobs_uploaded = 0;
    int blobs_existing = 0;
    int blobs_mounted = 0;
    std::uint64_t bytes_uploaded = 0;
};

class BOXTOOL_API Transfer {
  public:
    explicit Transfer(EngineOptions options);
    ~Transfer();
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    // SOURCE and DESTINATION: "docker://REF", "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]",
    // "docker-archive:FILE[:NAME:TAG]". A bare reference means docker://.
    Result<TransferResult> copy(std::string_view source, std::string_view destination,
                                const TransferOptions& options = {}) noexcept;
    // copy(source, "docker://" + reference)
    Result<TransferResult> push(std::string_view source, std::string_view reference,
                                const TransferOptions& options = {}) noexcept;
    // Every tag of a repository ("registry/repository"), all pages followed.
    Result<std::vector<std::string>> tags(std::string_view repository, int page_size = 0) noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace boxtool
