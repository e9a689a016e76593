#include "trust/trust_step.hpp"

#include <optional>

#include "pull/candidate_loop.hpp"
#include "trust/lookaside.hpp"
#include "trust/sigstore_attachments.hpp"

namespace boxtool::trust {
namespace {

// Reads the signatures of one resolved candidate, each format at most once, only when asked.
class RegistrySignatures final : public SignatureSource {
  public:
    RegistrySignatures(const TrustContext& context, registry::RegistrySession& session,
                       const TrustSubject& subject, std::stop_token stop)
        : context_(context), session_(session), subject_(subject), stop_(std::move(stop)) {}

    Result<std::vector<ImageSignature>> signatures(ImageSignature::Format format) override {
        auto& slot = format == ImageSignature::Format::SimpleSigning ? simple_ : sigstore_;
        if (!slot) {
            try {
                slot = format == ImageSignature::Format::SimpleSigning ? read_simple() : read_sigstore();
            } catch (const Failure& f) {
                Error e = f.error();
                if (e.registry.empty()) e.registry = subject_.source.registry;
                if (e.repository.empty()) e.repository = subject_.source.repository;
                slot = Result<std::vector<ImageSignature>>(std::move(e));
            }
        }
        return *slot;
    }

  private:
    std::vector<ImageSignature> read_simple() {
        RegistriesD fallback;
        const RegistriesD& rd = context_.registries_d ? *context_.registries_d : fallback;
        LookasideOptions options;
        options.client = context_.client;
        options.tls = context_.tls;
        options.deadline = context_.io_timeout;
        options.stop = stop_;
        return read_lookaside(rd.lookaside_for(subject_.source), subject_.manifest_digest, options);
    }
    std::vector<ImageSignature> read_sigstore() {
        return read_sigstore_attachments(session_, subject_.source, subject_.manifest_digest, stop_);
    }

    const TrustContext& context_;
    registry::RegistrySession& session_;
    const TrustSubject& subject_;
    std::stop_token stop_;
    std::optional<Result<std::vector<ImageSignature>>> simple_, sigstore_;
};

std::string hint_for(TrustProblem problem) {
    switch (problem) {
        case TrustProblem::Rejected:
            return "the policy rejects every image in this scope; pull from a scope it allows, or change the "
                   "policy";
        case TrustProblem::NoSignature:
            return "sign the image (skopeo copy --sign-by, cosign sign) and publish the signature where "
                   "boxtool "
                   "looks: the lookaside of registries.d (--registries.d) or the registry's "
                   "sha256-<digest>.sig tag";
        case TrustProblem::UntrustedKey:
            return "the image is signed by a key the policy does not trust: sign it with a trusted key, or "
                   "add its "
                   "public key to the scope's requirement";
        case TrustProblem::IdentityMismatch:
            return "the signature names another image; sign this name, or let the policy accept the signed "
                   "name "
                   "(signedIdentity matchRepository, exactRepository or remapIdentity)";
        case TrustProblem::DigestMismatch:
            return "the signature is for another manifest (the tag may have moved since it was signed); sign "
                   "the "
                   "current image";
        case TrustProblem::BadSignature:
        case TrustProblem::InvalidSignature:
            return "the signature was altered or corrupted, or made by another key; do not use this image "
                   "until "
                   "it is signed again";
        case TrustProblem::KeyUnavailable:
            return "fix the key the policy names (keyPath, keyPaths, keyData)";
        case TrustProblem::Unsupported:
            return "use a requirement boxtool supports (signedBy GPGKeys, sigstoreSigned with public keys)";
        case TrustProblem::None:
            break;
    }
    return {};
}

}  // namespace

namespace {

TrustSubject subject_of(const Candidate& candidate, const Digest& digest, const std::string& body) {
    TrustSubject s;
    s.source = candidate.reference;
    s.identity = candidate.reference;
    if (!candidate.mirror_of.empty()) s.identity.registry = normalize_registry(candidate.mirror_of);
    if (s.identity.digest) s.identity.tag.reset();  // pulled by digest: the digest is the identity
    s.manifest_digest = digest;
    s.manifest = body;
    return s;
}

// Throws `refused` made from the verdict when the policy refuses the subject.
template <typename Refusal>
void judge(const TrustContext& context, registry::RegistrySession& session, const TrustSubject& subject,
           const std::stop_token& stop) {
    RegistrySignatures source(context, session, subject, stop);
    auto verdict = context.policy->evaluate(subject, source);
    if (!verdict) throw Failure(std::move(verdict).error());
    if (!verdict->accepted) throw Refusal(refusal_error(subject, *verdict));
}

}  // namespace

TrustSubject trust_subject(const Candidate& candidate, const pull::Resolution& resolution) {
    return subject_of(candidate, resolution.manifest_digest, resolution.manifest_body);
}

Error refusal_error(const TrustSubject& subject, const TrustVerdict& verdict) {
    std::string message = "signature policy " + verdict.policy + " refused " + subject.identity.str() + " (" +
                          verdict.scope + "): " + to_text(verdict.problem) + ": " + verdict.reason;
    return Error{ErrorKind::SignatureRejected, message, subject.source.registry, subject.source.repository,
                 hint_for(verdict.problem)};
}

void verify_signatures(const TrustContext& context, const Candidate& candidate, pull::Resolution& resolution,
                       const std::stop_token& stop) {
    if (!context.policy) return;
    judge<pull::EndOfPull>(context, *resolution.session, trust_subject(candidate, resolution), stop);
}

void verify_manifest(const TrustContext& context, registry::RegistrySession& session,
                     const Candidate& candidate, const Digest& digest, const std::string& body,
                     const std::stop_token& stop) {
    if (!context.policy) return;
    judge<Failure>(context, session, subject_of(candidate, digest, body), stop);
}

SignatureReport signature_report(const TrustContext& context, const Candidate& candidate,
                                 pull::Resolution& resolution, const std::stop_token& stop) {
    TrustSubject subject = trust_subject(candidate, resolution);
    subject.judge_every_signature = true;
    RegistrySignatures source(context, *resolution.session, subject, stop);
    SignatureReport report;
    report.identity = subject.identity;
    report.source = subject.source;
    report.manifest_digest = subject.manifest_digest;
    for (auto format : {ImageSignature::Format::SimpleSigning, ImageSignature::Format::Sigstore}) {
        auto found = source.signatures(format);
        if (!found) {
            report.lookup_errors.push_back(found.error());
            continue;
        }
        report.signatures.insert(report.signatures.end(), found->begin(), found->end());
    }
    if (context.policy) {
        // A format that could not be read is already in lookup_errors; without it there is no verdict.
        auto verdict = context.policy->evaluate(subject, source);
        if (verdict) report.verdict = std::move(*verdict);
    }
    return report;
}

}  // namespace boxtool::trust
