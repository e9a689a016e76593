// The client side of the KBS attestation protocol (RCAR, version 0.4.0):
//   POST /kbs/v0/auth    {"version","tee","extra-params"}  -> {"nonce","extra-params"} + kbs-session-id
//   cookie POST /kbs/v0/attest  {"runtime-data":{"nonce","tee-pubkey"},"tee-evidence"} -> {"token"} GET
//   /kbs/v0/resource/<repository>/<type>/<tag>  (cookie + Bearer token) -> JWE for the TEE key
// The evidence binds the runtime data: report data = HASH(canonical JSON of "runtime-data"), with
// the hash the KBS selected (SHA-384 unless it says otherwise). A new TEE key is made for every
// attestation. The session and token are reused until the token expires; a 401 re-attests once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "attester.hpp"
#include "kbs_http.hpp"
#include "resource_uri.hpp"
#include "tee_key.hpp"

namespace boxtool::plugins::kbs {

inline constexpr const char* kProtocolVersion = "0.4.0";

class RcarClient {
  public:
    // `warn` receives lines for the user's log (never secrets).
    RcarClient(std::unique_ptr<KbsHttp> http, std::unique_ptr<Attester> attester, TeeKeyType key_type,
               std::function<void(const std::string&)> warn);
    ~RcarClient();

    // The resource's plaintext. Throws std::runtime_error naming the KBS and the resource: 401
    // (attestation refused, or still unauthorized after re-attesting), 403 (refused by the KBS
    // policy), 404 (no such resource), other statuses, and JWE failures.
    std::string get_resource(const ResourceUri& resource);

    int attestations() const noexcept { return attestations_; }

  private:
    struct Session;
    void attest();
    bool session_alive() const;

    std::unique_ptr<KbsHttp> http_;
    std::unique_ptr<Attester> attester_;
    TeeKeyType key_type_;
    std::function<void(const std::string&)> warn_;
    std::unique_ptr<Session> session_;
    int attestations_ = 0;
};

// The JSON string literal for `text` as RFC 8785 (JCS) writes it.
std::string canonical_json_string(std::string_view text);
// The canonical "runtime-data" object: {"nonce":NONCE,"tee-pubkey":JWK} (`jwk` already canonical).
std::string canonical_runtime_data(std::string_view nonce, std::string_view jwk);
// HASH(data) for "sha256", "sha384" or "sha512"; throws for another name.
std::string runtime_data_digest(std::string_view algorithm, std::string_view data);

}  // namespace boxtool::plugins::kbs
