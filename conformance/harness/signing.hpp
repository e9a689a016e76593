// Independent signers for the trust tests: GnuPG keys that skopeo signs with (simple signing, into
// a lookaside staging folder configured through registries.d), and the sigstore signer written in
// Python from the published format (fixtures/sigstore_sign.py), since Debian's skopeo has sigstore
// disabled and cosign is not packaged.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/process.hpp"
#include "harness/temp_dir.hpp"

namespace boxtool::harness {

// A throwaway GnuPG home with signing keys made on demand (no passphrase). Its gpg-agent is killed
// when it goes away.
class GpgHome {
  public:
    GpgHome();
    ~GpgHome();
    GpgHome(const GpgHome&) = delete;
    GpgHome& operator=(const GpgHome&) = delete;

    // Makes a key for `uid` and returns its fingerprint. Throws std::runtime_error with gpg's output.
    std::string make_key(const std::string& uid);
    // The public key of `fingerprint`, exported to a file (ASCII-armored, or binary).
    std::filesystem::path export_public(const std::string& fingerprint, bool armored = true);
    // GNUPGHOME for programs that sign with these keys (skopeo).
    std::map<std::string, std::string> env() const;
    const std::filesystem::path& path() const noexcept { return home_; }

  private:
    TempDir dir_{"boxtool-gpg-test"};
    std::filesystem::path home_;
    bool agent_started_ = false;
};

// A registries.d folder whose default-docker lookaside (and lookaside-staging, where skopeo writes)
// is a local folder, as skopeo reads and writes it.
struct Lookaside {
    std::filesystem::path registries_d;
    std::filesystem::path signatures;  // the file:// lookaside
};
Lookaside make_file_lookaside(const std::filesystem::path& dir);

// skopeo copy --sign-by FPR [--sign-identity ID] [--all] FROM TO --registries.d DIR, with
// --insecure-policy (the source is a local layout). Throws std::runtime_error with skopeo's output.
void skopeo_sign(const GpgHome& gpg, const std::string& fingerprint, const std::string& from,
                 const std::string& to, const std::filesystem::path& registries_d,
                 const std::optional<std::string>& sign_identity = std::nullopt, bool all = false);

// skopeo copy --policy POLICY --registries.d DIR docker://REF oci:OUT (signatures removed: an OCI
// layout cannot store them), plain HTTP. The verdict skopeo reaches on the same policy.
RunResult skopeo_verify(const std::string& reference, const std::filesystem::path& policy,
                        const std::filesystem::path& registries_d, const std::filesystem::path& out,
                        const std::vector<std::string>& extra = {});

// An ECDSA P-256 key pair made by fixtures/sigstore_sign.py.
struct SigstoreKey {
    std::filesystem::path private_key;
    std::filesystem::path public_key;
};
SigstoreKey make_sigstore_key(const std::filesystem::path& dir, const std::string& name);

struct SigstoreSignOptions {
    std::string store = "tag";    // "tag" (sha256-<hex>.sig) or "referrer" (OCI 1.1 subject)
    std::string tamper{};         // "", "payload" or "signature"
    std::string optional_json{};  // the payload's "optional" object; empty: null
};
// Signs `digest` in `repository` of the registry at `registry_url` (http://HOST:PORT) for
// `identity`; returns the signature manifest's digest. Throws std::runtime_error on failure.
std::string sigstore_sign(const SigstoreKey& key, const std::string& registry_url,
                          const std::string& repository, const std::string& digest,
                          const std::string& identity, const SigstoreSignOptions& options = {});

}  // namespace boxtool::harness
