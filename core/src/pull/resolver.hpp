// Resolves one candidate: the reference's manifest or index, the platform's manifest, each
// verified by digest and parsed.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "boxtool/credentials.hpp"
#include "boxtool/manifest.hpp"
#include "boxtool/policy.hpp"
#include "registry/registry_session.hpp"
#include "store/store.hpp"

namespace boxtool::pull {

struct Resolution {
    std::shared_ptr<CredentialProvider> credentials;  // what `session` asks; declared first to outlive it
    Candidate candidate;
    std::unique_ptr<registry::RegistrySession> session;  // for the blobs of this candidate
    Digest digest;                                       // what the reference resolved to (index or manifest)
    std::string media_type;                              // of that document
    std::optional<Index> index;
    std::string index_body;  // the index's bytes, when the reference resolved to one
    Digest manifest_digest;
    std::string manifest_body;
    Manifest manifest;
    std::optional<Platform> platform;
    std::string top_body;     // the reference's document as served (index or manifest), when asked for
    std::string config_body;  // the image config, when it was read (verified)
};

struct ResolveWants {
    bool keep = false;  // store the documents once they check out
    // Read documents already in the store (a pull; a judged pull also keeps them only later).
    // Without it or `keep` the store is not opened at all (inspect).
    bool from_store = false;
    bool check_platform = false;  // a single-platform image must match `platform` (it was asked for)
    bool config = false;          // read the image config (from the store when it is there)
    bool top_body = false;        // keep the top document's bytes in Resolution::top_body
};

// A platform manifest already in `store` is read from there (the registry has just served the
// index that names it, so access is settled). With `keep` set, the documents are stored once they
// all check out: a refused answer leaves no trace in the store.
// `store` may be null: nothing is read from or written to a store (inspect).
Resolution resolve(std::unique_ptr<registry::RegistrySession> session, const Candidate& candidate,
                   const Platform& platform, const Store* store, const ResolveWants& wants);

// Stores the resolved documents (index and manifest), for a resolve() made without `keep` once the
// image has been accepted (by the signature policy).
void keep_documents(const Store& store, const Resolution& resolution);

// The platform an image's config declares; for single-manifest images that is the only source.
std::optional<Platform> platform_from_config(const Store& store, const Descriptor& config);

// The error, placed at the reference's registry and repository.
Error with_location(Error error, const Reference& reference);

}  // namespace boxtool::pull
