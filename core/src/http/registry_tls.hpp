// The TLS settings for one registry, from the engine's TlsOptions: verification (unless the
// registry is insecure), the extra roots of --ca-file and extra_root_certificates, and the CAs and
// client certificate of the registry's certs.d folder.
#pragma once

#include <string>

#include "boxtool/tls.hpp"
#include "http/http_client.hpp"

namespace boxtool::http {

// `registry` is the normalized registry name ("docker.io", "127.0.0.1:5000"), which is also the
// name of its certs.d folder. Throws Failure(Config) for an unreadable CA file, PEM text without a
// certificate, or a half client certificate in certs.d.
TlsSettings tls_settings_for(const std::string& registry, const TlsOptions& options, bool insecure);

}  // namespace boxtool::http
