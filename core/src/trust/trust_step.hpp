// The engine's trust step: after a candidate's manifest is resolved and before any sink is
// prepared, the image must satisfy EngineOptions::signature_policy. Also what Engine::signatures()
// reports. Signatures are read from the candidate that served the image (a mirror's lookaside and
// tags), while the policy judges the image under the name it was asked for (the upstream's, for a
// mirror), as containers/image does.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>

#include "boxtool/policy.hpp"
#include "boxtool/tls.hpp"
#include "boxtool/trust.hpp"
#include "http/http_client.hpp"
#include "pull/resolver.hpp"

namespace boxtool::trust {

struct TrustContext {
    SignaturePolicy* policy = nullptr;                // null: nothing is checked
    std::shared_ptr<const RegistriesD> registries_d;  // null: the built-in lookaside only
    http::Client* client = nullptr;
    const TlsOptions* tls = nullptr;
    std::chrono::milliseconds io_timeout{60000};
};

// The subject of a resolved candidate: judged under the upstream's name for a mirror.
TrustSubject trust_subject(const Candidate& candidate, const pull::Resolution& resolution);

// Throws pull::EndOfPull with an Error of kind SignatureRejected when the policy refuses the image
// (no other candidate is tried: a registry serving a refused image is not a transient failure), or
// a Failure when the signatures cannot be read.
void verify_signatures(const TrustContext& context, const Candidate& candidate, pull::Resolution& resolution,
                       const std::stop_token& stop);

// The same check for one manifest a copy reads from a registry (`session` is the source's, and
// `candidate` the registry that serves it): throws Failure of kind SignatureRejected on a refusal.
void verify_manifest(const TrustContext& context, registry::RegistrySession& session,
                     const Candidate& candidate, const Digest& digest, const std::string& body,
                     const std::stop_token& stop);

// Every signature found, each judged when a policy is set.
SignatureReport signature_report(const TrustContext& context, const Candidate& candidate,
                                 pull::Resolution& resolution, const std::stop_token& stop);

// The SignatureRejected error for a refusal, naming the image, the policy, the scope and why.
Error refusal_error(const TrustSubject& subject, const TrustVerdict& verdict);

}  // namespace boxtool::trust
