/// \file
/// Image trust: which signatures an image must carry before the engine writes it anywhere.
///
/// The engine asks EngineOptions::signature_policy about every image it pulls, once the manifest
/// is resolved and verified against its digest and before any output sink is prepared: a refusal
/// ends the pull with an Error of kind SignatureRejected and nothing is written. For an index, the
/// platform manifest that is pulled is what must be signed (as `skopeo copy` checks one platform).
///
/// ContainersPolicy is the policy skopeo and podman read, containers-policy.json(5): requirements
/// `insecureAcceptAnything`, `reject`, `signedBy` (GPG simple signing, found in the lookaside
/// locations of registries.d) and `sigstoreSigned` (public keys; signatures found as the
/// `sha256-<digest>.sig` tag or through the referrers API), chosen by scope for the `docker`
/// transport. An embedder may bring a SignaturePolicy of their own instead.
///
///     boxtool::EngineOptions options;
///     auto policy = boxtool::ContainersPolicy::from_file("/etc/containers/policy.json");
///     if (!policy) return fail(policy.error());            // malformed: kind Config, names the key
///     options.signature_policy = *policy;
///     auto lookaside = boxtool::RegistriesD::load(boxtool::RegistriesD::default_dir());
///     if (!lookaside) return fail(lookaside.error());
///     options.registries_d = std::make_shared<boxtool::RegistriesD>(*lookaside);
///     boxtool::Engine engine(options);
///     auto pulled = engine.pull("registry.example.com/team/app:1", pull_options);
///     if (!pulled && pulled.error().kind == boxtool::ErrorKind::SignatureRejected)
///         std::cerr << pulled.error().describe() << "\n";   // the image, the scope and why
///
///     auto report = engine.signatures("registry.example.com/team/app:1");  // what is found, judged
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/error.hpp"
#include "boxtool/export.hpp"
#include "boxtool/reference.hpp"

namespace boxtool {

/// A signature found for an image, as fetched: nothing in it is trusted until a policy verifies it.
struct ImageSignature {
    enum class Format {
        SimpleSigning,  ///< a GPG-signed "atomic container signature" (containers-signature(5))
        Sigstore,       ///< a sigstore (cosign) payload with the annotations of its layer
    };
    Format format = Format::SimpleSigning;
    /// Where it was found: a lookaside URL, or "REGISTRY/REPOSITORY:sha256-HEX.sig layer N".
    std::string origin;
    /// SimpleSigning: the OpenPGP message. Sigstore: the payload, i.e. the bytes that were signed.
    std::string blob;
    std::string media_type;                          ///< Sigstore: the layer's media type
    std::map<std::string, std::string> annotations;  ///< Sigstore: the layer's annotations
};

/// "simple-signing" or "sigstore".
BOXTOOL_API const char* to_string(ImageSignature::Format format) noexcept;

/// The image a signature policy judges: resolved, its manifest verified against its digest.
struct TrustSubject {
    /// The name it is judged under: the reference asked for, qualified, with its tag, or its digest
    /// when it was pulled by digest. An image a mirror served is judged under the upstream's name.
    Reference identity;
    Reference source;        ///< where it was fetched from (the mirror, when one served it)
    Digest manifest_digest;  ///< the manifest signatures must name: for an index, the platform's
    std::string manifest;    ///< that manifest's bytes
    /// Judge every signature and every requirement (for listings) rather than stopping at the
    /// first accepted signature and the first refusal. The verdict is the same either way.
    bool judge_every_signature = false;
};

/// Reads an image's signatures on demand: a policy asks only for the formats its rules need, so a
/// scope that accepts anything costs no request.
class BOXTOOL_API SignatureSource {
  public:
    virtual ~SignatureSource() = default;
    /// Every signature of `format` found for the subject's manifest, empty when there is none; an
    /// Error when they cannot be read (a lookaside or registry failing).
    virtual Result<std::vector<ImageSignature>> signatures(ImageSignature::Format format) = 0;
};

/// Why an image (or one signature) was refused.
enum class TrustProblem {
    None,
    Rejected,          ///< the scope's requirement is "reject"
    NoSignature,       ///< a signature was required and none exists
    UntrustedKey,      ///< signed, but not by a key the policy trusts
    IdentityMismatch,  ///< signed for another image name than the one pulled
    DigestMismatch,    ///< signed for another manifest
    BadSignature,      ///< the signature does not verify: altered, corrupt, or made by another key
    InvalidSignature,  ///< the signature or its payload is malformed
    KeyUnavailable,    ///< a key the policy names cannot be read or used
    Unsupported,       ///< the requirement asks for something this build cannot check
};

/// Stable lower-case name, e.g. "untrusted-key"; to_text() gives "untrusted key" for sentences.
BOXTOOL_API const char* to_string(TrustProblem problem) noexcept;
BOXTOOL_API std::string to_text(TrustProblem problem);

/// One signature as one requirement judged it.
struct SignatureCheck {
    ImageSignature::Format format = ImageSignature::Format::SimpleSigning;
    std::string origin;       ///< as in ImageSignature
    std::string requirement;  ///< e.g. "signedBy GPGKeys (keyPath /etc/pki/app.gpg)"
    bool verified = false;    ///< the requirement accepts this signature
    TrustProblem problem = TrustProblem::None;
    std::string detail;           ///< why it was refused, in a sentence
    std::string signer;           ///< the key that made it, when known (a GPG fingerprint or key ID)
    std::string signed_identity;  ///< the image name it claims, once its signature verified
};

/// A policy's answer about one image.
struct TrustVerdict {
    bool accepted = false;
    std::string policy;  ///< where the policy came from: a file, a kbs:// resource
    /// The scope that applied, e.g. `docker scope "registry.example.com/team"`, `docker default`,
    /// `default`.
    std::string scope;
    std::vector<std::string> requirements;  ///< of that scope, in order
    TrustProblem problem = TrustProblem::None;
    std::string reason;  ///< why it was refused, or how it was accepted
    std::vector<SignatureCheck> checks;
};

/// The interface EngineOptions::signature_policy takes.
class BOXTOOL_API SignaturePolicy {
  public:
    virtual ~SignaturePolicy() = default;
    /// Must be safe to call from several threads at once. A refusal is a verdict (accepted false);
    /// an Error means no decision could be made (the signatures could not be read).
    virtual Result<TrustVerdict> evaluate(const TrustSubject& image,
                                          SignatureSource& signatures) noexcept = 0;
};

/// Reads a key file a policy names (keyPath, keyPaths): the file's bytes. Replace it to take keys
/// from elsewhere, e.g. kbs:// resources.
using KeyReader = std::function<Result<std::string>(const std::string& path)>;

struct ContainersPolicyOptions {
    KeyReader read_key;  ///< empty: local files, at most 1 MiB each
};

/// containers-policy.json(5), as skopeo and podman read it (strictly: an unknown or duplicated key, a
/// missing "default" or an empty requirement list is an error), evaluated for the docker transport.
class BOXTOOL_API ContainersPolicy final : public SignaturePolicy {
  public:
    /// Errors are of kind Config and name the file and the offending key.
    static Result<std::shared_ptr<ContainersPolicy>> from_file(const std::filesystem::path& path,
                                                               ContainersPolicyOptions options = {});
    /// `origin` names the text in messages (a file name, a kbs:// resource).
    static Result<std::shared_ptr<ContainersPolicy>> from_json(std::string_view text, std::string origin,
                                                               ContainersPolicyOptions options = {});
    ~ContainersPolicy() override;
    ContainersPolicy(const ContainersPolicy&) = delete;
    ContainersPolicy& operator=(const ContainersPolicy&) = delete;

    Result<TrustVerdict> evaluate(const TrustSubject& image, SignatureSource& signatures) noexcept override;
    /// The scope that applies to `identity`, as evaluate() reports it.
    std::string scope_for(const Reference& identity) const;
    const std::string& origin() const noexcept;

  private:
    struct Impl;
    explicit ContainersPolicy(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Where skopeo and podman look for their policy, in order: $HOME/.config/containers/policy.json,
/// then /etc/containers/policy.json. The first that exists is the default; none: accept anything.
BOXTOOL_API std::vector<std::filesystem::path> default_signature_policy_paths();

/// containers-registries.d(5): where simple signatures are looked for (lookaside locations), from
/// the *.yaml files of one folder: `default-docker` and per-namespace `docker` entries with
/// `lookaside` (or the older `sigstore`); http(s):// and file:// locations.
class BOXTOOL_API RegistriesD {
  public:
    /// No configuration: every image uses the built-in default lookaside.
    RegistriesD();
    /// Reads every *.yaml file in `dir`; a folder that does not exist is an empty configuration.
    /// Errors (kind Config) name the file: unreadable, malformed YAML, a namespace defined twice.
    static Result<RegistriesD> load(const std::filesystem::path& dir);
    /// The folder containers/image reads: $HOME/.config/containers/registries.d when it exists,
    /// otherwise /etc/containers/registries.d.
    static std::filesystem::path default_dir();
    /// The lookaside URL for the signatures of `image` (a pulled reference), its repository path
    /// appended: "file:///var/lib/containers/sigstore/team/app". Most specific namespace first,
    /// then `default-docker`, then the built-in default (/var/lib/containers/sigstore for root,
    /// ~/.local/share/containers/sigstore otherwise).
    std::string lookaside_for(const Reference& image) const;
    /// The files read, for messages.
    const std::vector<std::filesystem::path>& files() const noexcept;

  private:
    struct Data;
    std::shared_ptr<const Data> data_;
};

/// What Engine::signatures() finds for an image, and what the policy makes of it.
struct SignatureReport {
    Reference identity;      ///< as in TrustSubject
    Reference source;        ///< where it was fetched from
    Digest manifest_digest;  ///< the manifest the signatures are for (the platform's, for an index)
    std::vector<ImageSignature> signatures;  ///< every signature found, simple signing first
    std::vector<Error> lookup_errors;        ///< signatures that could not be read (one per format)
    /// EngineOptions::signature_policy's verdict, every signature judged; empty without a policy.
    std::optional<TrustVerdict> verdict;
};

}  // namespace boxtool
