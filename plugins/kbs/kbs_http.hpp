// Plain HTTP(S) requests to one KBS, each on a fresh connection: a handful per pull, so keeping
// connections alive is not worth the state. TLS verifies the KBS certificate against the
// configured PEM (or the system's CAs) and its name, always.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boxtool::plugins::kbs {

struct HttpAnswer {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> cookies;  // from Set-Cookie: name -> value
};

class KbsHttp {
  public:
    // `url` is http(s)://HOST[:PORT]; `ca_file` the PEM the KBS certificate must chain to (the
    // system's CAs when absent). Throws std::runtime_error for a malformed URL or unreadable PEM.
    KbsHttp(const std::string& url, const std::optional<std::filesystem::path>& ca_file,
            std::chrono::seconds timeout);
    ~KbsHttp();
    KbsHttp(const KbsHttp&) = delete;
    KbsHttp& operator=(const KbsHttp&) = delete;

    // Throws std::runtime_error naming the KBS for connection, TLS and timeout failures. Bodies
    // over 4 MiB are refused.
    HttpAnswer send(const std::string& method, const std::string& path, const std::string& body,
                    const std::map<std::string, std::string>& headers) const;

    const std::string& url() const noexcept { return url_; }

  private:
    struct Impl;
    std::string url_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace boxtool::plugins::kbs
