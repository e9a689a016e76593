// ContainersPolicy: containers-policy.json(5) evaluated as containers/image evaluates it. The
// scope is chosen most specific first; its requirements must all accept (the first refusal ends
// it); a signing requirement accepts when one signature verifies, names the manifest pulled and an
// identity its signedIdentity rule allows.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "boxtool/trust.hpp"
#include "trust/docker_name.hpp"
#include "trust/gpg_keyring.hpp"
#include "trust/identity_match.hpp"
#include "trust/policy_document.hpp"
#include "trust/policy_scope.hpp"
#include "trust/signature_payload.hpp"
#include "trust/sigstore_keys.hpp"
#include "trust/strict_json.hpp"
#include "util/base64.hpp"

namespace boxtool {
namespace {

using trust::Requirement;

constexpr std::uintmax_t kMaxPolicyBytes = 4 * 1024 * 1024;
constexpr std::uintmax_t kMaxKeyBytes = 1024 * 1024;
constexpr std::string_view kSigstoreSignatureType = "application/vnd.dev.cosign.simplesigning.v1+json";
constexpr std::string_view kSigstoreSignatureAnnotation = "dev.cosignproject.cosign/signature";

Result<std::string> read_small_file(const std::filesystem::path& path, std::uintmax_t limit,
                                    const char* what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return Error{ErrorKind::Config, std::string("cannot read ") + what + " " + path.string() + ": " +
                                            std::generic_category().message(errno)};
    if (!S_ISREG(st.st_mode))
        return Error{ErrorKind::Config, std::string(what) + " " + path.string() + " is not a regular file"};
    if (static_cast<std::uintmax_t>(st.st_size) > limit)
        return Error{ErrorKind::Config, std::string(what) + " " + path.string() + " is larger than " +
                                            std::to_string(limit / 1024 / 1024) + " MiB"};
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{ErrorKind::Config, std::string("cannot open ") + what + " " + path.string()};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// How one requirement judged the image.
struct Outcome {
    TrustProblem problem = TrustProblem::None;
    std::string reason;
};

// When several signatures are refused, the reason nearest to acceptance is the one to report: a
// signature by a trusted key for another name says more than one by an unknown key.
int closeness(TrustProblem p) {
    switch (p) {
        case TrustProblem::IdentityMismatch:
            return 7;
        case TrustProblem::DigestMismatch:
            return 6;
        case TrustProblem::UntrustedKey:
            return 5;
        case TrustProblem::BadSignature:
            return 4;
        case TrustProblem::InvalidSignature:
            return 3;
        case TrustProblem::KeyUnavailable:
            return 2;
        case TrustProblem::Unsupported:
            return 1;
        case TrustProblem::None:
        case TrustProblem::Rejected:
        case TrustProblem::NoSignature:
            return 0;
    }
    return 0;
}

std::string base64_relaxed_decode(std::string_view text, bool& ok) {
    std::string compact;
    for (char c : text)
        if (c != '\n' && c != '\r') compact += c;
    auto decoded = util::base64_decode(compact);
    ok = decoded.has_value();
    return decoded.value_or("");
}

class Evaluation {
  public:
    Evaluation(const TrustSubject& subject, SignatureSource& source, const KeyReader& read_key)
        : subject_(subject),
          source_(source),
          read_key_(read_key),
          name_(trust::docker_name_of(subject.identity)) {}

    std::vector<SignatureCheck> checks;

    Outcome judge(const Requirement& r) {
        switch (r.type) {
            case Requirement::Type::InsecureAcceptAnything:
                return {};
            case Requirement::Type::Reject:
                return {TrustProblem::Rejected,
                        "the scope's requirement is \"reject\": no image is accepted"};
            case Requirement::Type::SignedBy:
                return signed_by(r);
            case Requirement::Type::SigstoreSigned:
                return sigstore_signed(r);
        }
        return {TrustProblem::Unsupported, "unknown requirement"};
    }

  private:
    std::vector<ImageSignature> fetch(ImageSignature::Format format) {
        auto found = source_.signatures(format);
        if (!found) throw Failure(std::move(found).error());
        return std::move(*found);
    }

    // The policy's keys: files through the KeyReader, inline data as is.
    std::vector<std::string> keys_of(const Requirement& r) {
        std::vector<std::string> keys = r.key_datas;
        for (const auto& path : r.key_paths) {
            auto text = read_key_ ? read_key_(path) : read_small_file(path, kMaxKeyBytes, "key file");
            if (!text) throw Failure(std::move(text).error());
            keys.push_back(std::move(*text));
        }
        return keys;
    }

    // The claims of a signature whose cryptography checked out, against the image pulled.
    void judge_claims(SignatureCheck& c, std::string_view payload, trust::PayloadKind kind,
                      const trust::IdentityRule& rule) {
        trust::SignedClaims claims;
        try {
            claims = trust::parse_signature_payload(payload, kind);
        } catch (const trust::JsonError& e) {
            c.problem = TrustProblem::InvalidSignature;
            c.detail = std::string("its signed payload is malformed: ") + e.what();
            return;
        }
        c.signed_identity = claims.docker_reference;
        if (digest_of(subject_.manifest, claims.manifest_digest.algorithm) != claims.manifest_digest) {
            c.problem = TrustProblem::DigestMismatch;
            c.detail = "it is for manifest " + claims.manifest_digest.str() + ", not " +
                       subject_.manifest_digest.str() + " (the one pulled)";
            return;
        }
        if (!trust::identity_matches(rule, name_, claims.docker_reference)) {
            c.problem = TrustProblem::IdentityMismatch;
            c.detail = "it is for image \"" + claims.docker_reference + "\", which signedIdentity " +
                       rule.describe() + " does not accept for " + name_.str();
            return;
        }
        c.verified = true;
    }

    // Every signature refused: one reason, or each one's.
    Outcome summary(std::size_t first, std::size_t count) {
        Outcome out;
        std::string reasons;
        for (std::size_t i = first; i < first + count; ++i) {
            const auto& c = checks[i];
            if (closeness(c.problem) > closeness(out.problem) || out.problem == TrustProblem::None)
                out.problem = c.problem;
            reasons += (i > first ? "; " : "") + std::string("signature ") + std::to_string(i - first + 1) +
                       " (" + c.origin + "): " + c.detail;
        }
        out.reason = count == 1
                         ? reasons
                         : "none of the " + std::to_string(count) + " signatures was accepted: " + reasons;
        return out;
    }

    Outcome no_signature(const Requirement& r, std::size_t others, const std::string& others_what) {
        std::string reason = "a signature was required (" + r.describe() + "), but no signature exists";
        if (others)
            reason += " (" + std::to_string(others) + " " + others_what + " found, which it does not use)";
        return {TrustProblem::NoSignature, reason};
    }

    Outcome refuse_all(const std::vector<ImageSignature>& sigs, const Requirement& r, TrustProblem problem,
                       const std::string& detail) {
        std::size_t first = checks.size();
        for (const auto& s : sigs)
            checks.push_back({s.format, s.origin, r.describe(), false, problem, detail, {}, {}});
        return summary(first, sigs.size());
    }

    Outcome signed_by(const Requirement& r) {
        auto sigs = fetch(ImageSignature::Format::SimpleSigning);
        if (sigs.empty()) return no_signature(r, 0, "");
        if (r.key_type != "GPGKeys")
            return refuse_all(sigs, r, TrustProblem::Unsupported,
                              "keyType \"" + r.key_type + "\" is not implemented (only \"GPGKeys\" is)");
        // Blobs that are not OpenPGP messages are refused first: they need no key to be judged.
        std::size_t first = checks.size();
        std::vector<std::pair<const ImageSignature*, std::string_view>> messages;
        for (const auto& s : sigs) {
            if (auto message = trust::openpgp_message_of(s.blob)) {
                messages.emplace_back(&s, *message);
                continue;
            }
            checks.push_back({s.format,
                              s.origin,
                              r.describe(),
                              false,
                              TrustProblem::InvalidSignature,
                              "it is not a binary OpenPGP signed message (the simple signing format)",
                              {},
                              {}});
        }
        if (messages.empty()) return summary(first, checks.size() - first);
        std::unique_ptr<trust::GpgKeyring> ring;
        std::string key_problem;
        try {
            ring = std::make_unique<trust::GpgKeyring>(keys_of(r));
            if (ring->fingerprints().empty())
                key_problem = "no public key could be imported from the policy's " + r.key_source;
        } catch (const Failure& f) {
            key_problem = f.error().message;
        }
        for (const auto& [s, message] : messages) {
            SignatureCheck c{s->format, s->origin, r.describe(), false, TrustProblem::None, {}, {}, {}};
            if (!key_problem.empty()) {
                c.problem = TrustProblem::KeyUnavailable;
                c.detail = key_problem;
                checks.push_back(std::move(c));
                continue;
            }
            auto v = ring->verify(message);
            c.signer = v.signer;
            if (!v.verified) {
                c.problem = v.problem;
                c.detail = v.detail;
            } else {
                judge_claims(c, v.plaintext, trust::PayloadKind::SimpleSigning, r.identity);
            }
            if (c.verified) c.detail = "verified: signed by key " + c.signer + " for " + c.signed_identity;
            checks.push_back(std::move(c));
            if (checks.back().verified && !subject_.judge_every_signature) return {};
        }
        for (std::size_t i = first; i < checks.size(); ++i)
            if (checks[i].verified) return {};
        return summary(first, checks.size() - first);
    }

    Outcome sigstore_signed(const Requirement& r) {
        auto all = fetch(ImageSignature::Format::Sigstore);
        std::vector<ImageSignature> sigs;
        for (auto& s : all)
            if (s.media_type == kSigstoreSignatureType) sigs.push_back(std::move(s));
        if (sigs.empty()) return no_signature(r, all.size(), "sigstore attachments that are not signatures");
        std::unique_ptr<trust::SigstoreKeys> keys;
        try {
            keys = std::make_unique<trust::SigstoreKeys>(keys_of(r));
        } catch (const Failure& f) {
            return refuse_all(sigs, r, TrustProblem::KeyUnavailable, f.error().message);
        } catch (const std::exception& e) {
            return refuse_all(sigs, r, TrustProblem::KeyUnavailable,
                              std::string("parsing public key: ") + e.what());
        }
        std::size_t first = checks.size();
        for (const auto& s : sigs) {
            SignatureCheck c{s.format, s.origin, r.describe(), false, TrustProblem::None, {}, {}, {}};
            auto annotation = s.annotations.find(std::string(kSigstoreSignatureAnnotation));
            bool decoded = false;
            std::string raw;
            if (annotation != s.annotations.end()) raw = base64_relaxed_decode(annotation->second, decoded);
            if (annotation == s.annotations.end()) {
                c.problem = TrustProblem::InvalidSignature;
                c.detail = "its layer has no " + std::string(kSigstoreSignatureAnnotation) + " annotation";
            } else if (!decoded) {
                c.problem = TrustProblem::InvalidSignature;
                c.detail = "its " + std::string(kSigstoreSignatureAnnotation) + " annotation is not base64";
            } else if (!keys->verify(s.blob, raw)) {
                c.problem = TrustProblem::BadSignature;
                c.detail =
                    "it does not verify with the policy's public key: it was made by another key, or the "
                    "signature or its payload was altered";
            } else {
                judge_claims(c, s.blob, trust::PayloadKind::Sigstore, r.identity);
                if (c.verified) c.detail = "verified: signed by the policy's key for " + c.signed_identity;
            }
            checks.push_back(std::move(c));
            if (checks.back().verified && !subject_.judge_every_signature) return {};
        }
        for (std::size_t i = first; i < checks.size(); ++i)
            if (checks[i].verified) return {};
        return summary(first, checks.size() - first);
    }

    const TrustSubject& subject_;
    SignatureSource& source_;
    const KeyReader& read_key_;
    trust::DockerName name_;
};

}  // namespace

struct ContainersPolicy::Impl {
    std::string origin;
    trust::PolicyDocument doc;
    KeyReader read_key;

    struct Scope {
        std::string label;
        const std::vector<Requirement>* requirements;
    };

    Scope scope_for(const trust::DockerName& name) const {
        if (auto t = doc.transports.find("docker"); t != doc.transports.end()) {
            const auto& scopes = t->second;
            std::string identity = trust::scope_identity(name);
            if (auto it = scopes.find(identity); it != scopes.end())
                return {"docker scope \"" + identity + "\"", &it->second};
            for (const auto& ns : trust::scope_namespaces(name))
                if (auto it = scopes.find(ns); it != scopes.end())
                    return {"docker scope \"" + ns + "\"", &it->second};
            if (auto it = scopes.find(""); it != scopes.end())
                return {"docker default scope \"\"", &it->second};
        }
        return {"default", &doc.default_requirements};
    }
};

ContainersPolicy::ContainersPolicy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ContainersPolicy::~ContainersPolicy() = default;

Result<std::shared_ptr<ContainersPolicy>> ContainersPolicy::from_json(std::string_view text,
                                                                      std::string origin,
                                                                      ContainersPolicyOptions options) {
    try {
        auto impl = std::make_unique<Impl>();
        impl->origin = std::move(origin);
        impl->read_key = std::move(options.read_key);
        if (text.size() > kMaxPolicyBytes)
            return Error{ErrorKind::Config,
                         "invalid signature policy " + impl->origin + ": larger than 4 MiB",
                         {},
                         {},
                         "a policy is a small JSON document (containers-policy.json(5))"};
        try {
            impl->doc = trust::parse_policy_document(text);
        } catch (const trust::JsonError& e) {
            return Error{ErrorKind::Config,
                         "invalid signature policy " + impl->origin + ": " + e.what(),
                         {},
                         {},
                         "fix the policy (containers-policy.json(5)); skopeo and podman refuse it too"};
        }
        return std::shared_ptr<ContainersPolicy>(new ContainersPolicy(std::move(impl)));
    } catch (const std::bad_alloc&) {
        return Error{ErrorKind::Internal, "out of memory reading the signature policy"};
    }
}

Result<std::shared_ptr<ContainersPolicy>> ContainersPolicy::from_file(const std::filesystem::path& path,
                                                                      ContainersPolicyOptions options) {
    auto text = read_small_file(path, kMaxPolicyBytes, "signature policy");
    if (!text) {
        Error e = std::move(text).error();
        e.hint = "check the path given to --signature-policy (or \"signature_policy\" in the config)";
        return e;
    }
    return from_json(*text, path.string(), std::move(options));
}

std::string ContainersPolicy::scope_for(const Reference& identity) const {
    return impl_->scope_for(trust::docker_name_of(identity)).label;
}

const std::string& ContainersPolicy::origin() const noexcept {
    return impl_->origin;
}

Result<TrustVerdict> ContainersPolicy::evaluate(const TrustSubject& image,
                                                SignatureSource& signatures) noexcept {
    try {
        TrustVerdict verdict;
        verdict.policy = impl_->origin;
        auto scope = impl_->scope_for(trust::docker_name_of(image.identity));
        verdict.scope = scope.label;
        for (const auto& r : *scope.requirements) verdict.requirements.push_back(r.describe());
        Evaluation evaluation(image, signatures, impl_->read_key);
        for (const auto& r : *scope.requirements) {
            Outcome o = evaluation.judge(r);
            if (o.problem != TrustProblem::None && verdict.problem == TrustProblem::None) {
                verdict.problem = o.problem;
                verdict.reason = o.reason;
                if (!image.judge_every_signature) break;
            }
        }
        verdict.checks = std::move(evaluation.checks);
        verdict.accepted = verdict.problem == TrustProblem::None;
        if (verdict.accepted) {
            verdict.reason = "every requirement of the " + verdict.scope + " accepts it";
            for (const auto& c : verdict.checks)
                if (c.verified) {
                    verdict.reason += " (" + c.detail + ")";
                    break;
                }
        }
        return verdict;
    } catch (const Failure& f) {
        return f.error();
    } catch (const std::bad_alloc&) {
        return Error{ErrorKind::Internal, "out of memory checking signatures"};
    } catch (const std::exception& e) {
        return Error{ErrorKind::Internal,
                     std::string("internal error checking signatures: ") + e.what(),
                     {},
                     {},
                     "please report this as a bug"};
    }
}

std::vector<std::filesystem::path> default_signature_policy_paths() {
    std::vector<std::filesystem::path> out;
    if (const char* home = std::getenv("HOME"); home && *home)
        out.push_back(std::filesystem::path(home) / ".config/containers/policy.json");
    out.emplace_back("/etc/containers/policy.json");
    return out;
}

const char* to_string(ImageSignature::Format format) noexcept {
    switch (format) {
        case ImageSignature::Format::SimpleSigning:
            return "simple-signing";
        case ImageSignature::Format::Sigstore:
            return "sigstore";
    }
    return "unknown";
}

const char* to_string(TrustProblem problem) noexcept {
    switch (problem) {
        case TrustProblem::None:
            return "none";
        case TrustProblem::Rejected:
            return "rejected";
        case TrustProblem::NoSignature:
            return "no-signature";
        case TrustProblem::UntrustedKey:
            return "untrusted-key";
        case TrustProblem::IdentityMismatch:
            return "identity-mismatch";
        case TrustProblem::DigestMismatch:
            return "digest-mismatch";
        case TrustProblem::BadSignature:
            return "bad-signature";
        case TrustProblem::InvalidSignature:
            return "invalid-signature";
        case TrustProblem::KeyUnavailable:
            return "key-unavailable";
        case TrustProblem::Unsupported:
            return "unsupported";
    }
    return "unknown";
}

std::string to_text(TrustProblem problem) {
    std::string s = to_string(problem);
    for (char& c : s)
        if (c == '-') c = ' ';
    return s;
}

}  // namespace boxtool
