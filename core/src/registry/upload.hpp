// The write half of the distribution protocol for one registry: blob existence checks, streamed
// and verified blob uploads (monolithic or chunked), cross-repository mounts, manifest PUTs and
// paginated tag lists. Built on RegistrySession, so authentication, TLS and retries are the pull's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "boxtool/digest.hpp"
#include "registry/registry_session.hpp"

namespace boxtool::registry {

// "repository:NAME:pull,push", plus "repository:FROM:pull" when a mount reads from FROM.
std::string push_scope(const std::string& repository, const std::string& mount_from = {});

// HEAD /v2/NAME/blobs/DIGEST: true on 200, false on 404; anything else is thrown.
bool blob_exists(RegistrySession& session, const std::string& repository, const Digest& digest);

// POST /v2/NAME/blobs/uploads/?mount=DIGEST&from=FROM. True when the registry mounted the blob
// (201); false when it refused and opened an upload instead (202; that upload is cancelled) or
// answered the mount with an error a registry without mounts gives. The caller then uploads.
bool mount_blob(RegistrySession& session, const std::string& repository, const Digest& digest,
                const std::string& from);

struct UploadOptions {
    // 0: one PUT with the whole blob (POST then PUT). Otherwise PATCH chunks of this many bytes,
    // then a PUT that closes the upload.
    std::uint64_t chunk_size = 0;
};

// Uploads the file at `path`, which must hold `size` bytes with `digest`. The bytes are streamed
// from the file and hashed on the way; a file that does not match is refused before the upload is
// committed, and the registry's Docker-Content-Digest answer must name `digest`.
void upload_blob(RegistrySession& session, const std::string& repository, const Digest& digest,
                 std::uint64_t size, const std::filesystem::path& path, const UploadOptions& options = {});

// PUT /v2/NAME/manifests/REFERENCE (a tag or the digest) with `body` as `media_type`; returns the
// digest the registry says it stored, which must equal the bytes' digest.
Digest put_manifest(RegistrySession& session, const std::string& repository, const std::string& reference,
                    const std::string& media_type, const std::string& body);

// Every tag of the repository, following Link: <...>; rel="next" pages. `page_size` 0 lets the
// registry choose the page size.
std::vector<std::string> list_tags(RegistrySession& session, const std::string& repository,
                                   int page_size = 0);

// The URL of the next page from a Link header value, or "" when there is none.
std::string next_link(const std::string& link_header);

}  // namespace boxtool::registry
