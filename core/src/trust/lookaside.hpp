// Simple signatures from a lookaside location (containers-registries.d(5), the layout skopeo
// writes): BASE@ALGORITHM=HEX/signature-1, -2, ... until one is missing, over http(s):// or file://.
#pragma once

#include <chrono>
#include <stop_token>
#include <string>
#include <vector>

#include "boxtool/digest.hpp"
#include "boxtool/tls.hpp"
#include "boxtool/trust.hpp"
#include "http/http_client.hpp"

namespace boxtool::trust {

struct LookasideOptions {
    http::Client* client = nullptr;
    const TlsOptions* tls = nullptr;            // roots and certs.d for https lookasides
    std::chrono::milliseconds deadline{60000};  // for each signature, from request to last byte
    std::stop_token stop;
};

inline constexpr std::size_t kMaxSignatureBytes = 4 * 1024 * 1024;  // as containers/image
inline constexpr int kMaxLookasideSignatures = 128;

// `base` is RegistriesD::lookaside_for(image). Throws Failure naming the URL: unreachable, an
// answer other than 200 or 404, a signature over 4 MiB or not finished before the deadline, more
// than 128 signatures, an unsupported scheme.
std::vector<ImageSignature> read_lookaside(const std::string& base, const Digest& manifest,
                                           const LookasideOptions& options);

}  // namespace boxtool::trust
