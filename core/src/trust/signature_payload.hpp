// The signed claim inside both kinds of signature (containers-signature(5)): which manifest digest
// and which image name were signed. Simple signing calls it an "atomic container signature",
// sigstore a "cosign container image signature"; the layout is the same and is read strictly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "boxtool/digest.hpp"

namespace boxtool::trust {

enum class PayloadKind {
    SimpleSigning,  // critical.type "atomic container signature"; "optional" must be an object
    Sigstore,       // critical.type "cosign container image signature"; "optional" may be null
};

struct SignedClaims {
    Digest manifest_digest;        // critical.image.docker-manifest-digest
    std::string docker_reference;  // critical.identity.docker-reference, as written
    std::optional<std::string> creator;
    std::optional<std::int64_t> timestamp;
};

// Throws JsonError naming what is malformed. Payloads larger than 4 MiB are refused.
SignedClaims parse_signature_payload(std::string_view json, PayloadKind kind);

}  // namespace boxtool::trust
