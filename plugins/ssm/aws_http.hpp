// The few HTTP requests the ssm plugin makes (AWS JSON APIs, instance metadata), over Poco with
// TLS verification on and the system's CA store (OpenSSL's defaults, so SSL_CERT_FILE applies).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace boxtool::plugins::aws {

struct HttpResponse {
    int status = 0;
    std::string body;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;  // http:// or https://
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
};

// Throws std::runtime_error("cannot reach URL: why") when no HTTP answer arrives; any status is an
// answer. Bodies over 1 MiB are refused (no AWS answer the plugin reads is near that).
HttpResponse http_send(const HttpRequest& request);

// The parts of an endpoint URL the signer needs.
struct Endpoint {
    std::string scheme;  // "http" or "https"
    std::string host;    // the Host header: name, plus ":port" when not the scheme's default
    std::string path;    // "/" when empty
};
// Throws std::invalid_argument naming `what` when `url` is not an http(s) URL.
Endpoint parse_endpoint(const std::string& url, const std::string& what);

}  // namespace boxtool::plugins::aws
