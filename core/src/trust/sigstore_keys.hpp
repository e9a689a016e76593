// The public keys of a sigstoreSigned requirement, and the check of one signature against them
// (OpenSSL 3): ECDSA (cosign's P-256 keys) and RSA PKCS#1 v1.5 over SHA-256, Ed25519 over the
// payload itself, as sigstore's LoadVerifier does for those key types.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::trust {

class SigstoreKeys {
  public:
    // Each key is PEM text ("PUBLIC KEY", or "RSA PUBLIC KEY"). Throws std::runtime_error saying
    // which key cannot be parsed.
    explicit SigstoreKeys(const std::vector<std::string>& pem_keys);
    ~SigstoreKeys();
    SigstoreKeys(const SigstoreKeys&) = delete;
    SigstoreKeys& operator=(const SigstoreKeys&) = delete;

    // True when one of the keys verifies `signature` (raw bytes, DER for ECDSA) over `payload`.
    bool verify(std::string_view payload, std::string_view signature) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace boxtool::trust
