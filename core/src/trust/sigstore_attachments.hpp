// sigstore signatures stored in the registry beside the image, as cosign and containers/image
// write them: an OCI manifest tagged "sha256-<hex>.sig" whose layers are signature payloads with
// the signature in an annotation; and, where the registry serves the OCI 1.1 referrers API,
// manifests whose subject is the image.
#pragma once

#include <stop_token>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/reference.hpp"
#include "boxtool/trust.hpp"
#include "registry/registry_session.hpp"
#include "trust/attachment_manifest.hpp"

namespace boxtool::trust {

// Every sigstore layer found for `manifest` in `source`'s repository (the tag's first, then the
// referrers'), duplicates removed. A missing tag or a registry without the referrers API means
// none; a tag that is not an OCI manifest, or a layer that is oversized or does not match its
// digest, is an error (kind InvalidManifest or DigestMismatch) naming it. Referrers that cannot be
// read are skipped, as containers/image skips them: they may be unrelated artifacts.
std::vector<ImageSignature> read_sigstore_attachments(registry::RegistrySession& session,
                                                      const Reference& source, const Digest& manifest,
                                                      const std::stop_token& stop);

// The tag cosign uses: "sha256-<hex>.sig".
std::string sigstore_tag(const Digest& manifest);

}  // namespace boxtool::trust
