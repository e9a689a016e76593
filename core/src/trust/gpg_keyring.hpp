// GPG simple-signing verification with a throwaway keyring that holds only a policy's keys.
//
// Why GPGME (libgpgme, Debian's libgpgme-dev) over the gpg program: it is what containers/image
// (skopeo, podman) verifies with, so both read the same key formats (armored or binary, several
// keys per file) and reach the same verdicts; it hands back structured results (status, signer
// fingerprint, validity) instead of text to scrape; and it runs GnuPG itself, not an OpenPGP parser
// of our own. The user's keyring and trust database are never consulted: every keyring is a fresh
// GnuPG home in a private temporary folder (mode 0700) into which only the policy's keys are
// imported, and which is deleted afterwards. Its gpg.conf says no-autostart: importing public keys
// and verifying need no gpg-agent, and one started there would outlive the keyring.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxtool/trust.hpp"

namespace boxtool::trust {

// The OpenPGP message in a stored simple signature, as containers/image recognizes it: a blob that
// starts like a binary OpenPGP message (compressed data, one-pass signature or signature packet),
// or the newer "\0simple-signing\n" + message form. Anything else (armored text, garbage) is not a
// simple signature: nullopt.
std::optional<std::string_view> openpgp_message_of(std::string_view blob);

class GpgKeyring {
  public:
    // A keyring with `keys` imported (each an armored or binary OpenPGP public key file). Throws
    // Failure (kind Config) when GnuPG is unusable or a key cannot be imported at all.
    explicit GpgKeyring(const std::vector<std::string>& keys);
    ~GpgKeyring();
    GpgKeyring(const GpgKeyring&) = delete;
    GpgKeyring& operator=(const GpgKeyring&) = delete;

    // Fingerprints of the keys imported: the signers this keyring trusts.
    const std::vector<std::string>& fingerprints() const noexcept;

    struct Result {
        bool verified = false;
        TrustProblem problem = TrustProblem::None;
        std::string detail;     // why not, in a sentence
        std::string signer;     // fingerprint (or key ID, for an unknown key)
        std::string plaintext;  // the signed payload, when verified
    };
    // Verifies an opaque OpenPGP signed message; the payload may not exceed 4 MiB.
    Result verify(std::string_view signed_message) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace boxtool::trust
