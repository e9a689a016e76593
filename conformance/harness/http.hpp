// An HTTP client for poking the test servers directly (readiness, checking what was pushed).
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace boxtool::harness {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string header(const std::string& name) const;  // "" if absent; name in any case
};

// Throws std::runtime_error when no answer arrives (refused, reset, timeout).
HttpResponse http_request(const std::string& method, const std::string& host, const std::string& path,
                          const std::map<std::string, std::string>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

// As http_request, over HTTPS without verifying the server's certificate: for test servers with
// throwaway certificates, when what matters is the answer, not who gives it.
HttpResponse https_request_unverified(const std::string& method, const std::string& host,
                                      const std::string& path,
                                      const std::map<std::string, std::string>& headers = {},
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// As https_request_unverified, presenting a client certificate (PEM files): for registries that
// require one (mutual TLS).
HttpResponse https_request_with_client_certificate(
    const std::string& method, const std::string& host, const std::string& path, const std::string& cert_file,
    const std::string& key_file, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Standard base64 with padding, on one line.
std::string base64(const std::string& bytes);

// "Basic <base64(user:password)>".
std::string basic_auth(const std::string& user, const std::string& password);

// Accept header value asking a registry for any manifest or index type.
inline constexpr const char* kAcceptManifests =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

}  // namespace boxtool::harness
