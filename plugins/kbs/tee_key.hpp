// The TEE's ephemeral key pair: made for each attestation, its public half goes to the KBS as a
// JWK in the runtime data (and so into the report data), its private half unwraps the resource.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace boxtool::plugins::kbs {

enum class TeeKeyType {
    EcP256,  // ECDH-ES+A256KW, the protocol's default
    Rsa      // RSA-OAEP-256 (3072-bit); RSA1_5 answers are accepted for older brokers
};

class TeeKey {
  public:
    static TeeKey generate(TeeKeyType type);
    // A PKCS#8 or traditional PEM private key (P-256 or RSA), for tests against fixed vectors.
    static TeeKey from_private_pem(const std::string& pem);

    TeeKey(TeeKey&&) noexcept;
    TeeKey& operator=(TeeKey&&) noexcept;
    ~TeeKey();

    TeeKeyType type() const noexcept { return type_; }
    // The public key as a JWK in canonical JSON (RFC 8785: sorted keys, no spaces), as the
    // runtime data carries it: {"alg":"ECDH-ES+A256KW","crv":"P-256","kty":"EC","x":..,"y":..}
    // or {"alg":"RSA-OAEP-256","e":..,"kty":"RSA","n":..}.
    std::string public_jwk() const;

    // ECDH with a P-256 point given by its base64url-decoded coordinates: the shared secret Z.
    std::string ecdh(std::string_view peer_x, std::string_view peer_y) const;
    // RSA decryption of a wrapped key, OAEP with SHA-256 (and MGF1-SHA-256) or PKCS#1 v1.5.
    std::string rsa_decrypt(std::string_view wrapped, bool oaep_sha256) const;

  private:
    struct Impl;
    TeeKey(std::unique_ptr<Impl> impl, TeeKeyType type);
    std::unique_ptr<Impl> impl_;
    TeeKeyType type_;
};

}  // namespace boxtool::plugins::kbs
