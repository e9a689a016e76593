// A real distribution registry (`docker-registry serve`) on 127.0.0.1, with its own storage,
// config and log in a temp dir that goes away with it.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/process.hpp"
#include "harness/request_log.hpp"
#include "harness/temp_dir.hpp"

namespace boxtool::harness {

// Token auth (`auth.token`): the registry sends clients to `realm` for a bearer token and trusts
// tokens for `service` from `issuer` signed by a key certified in `rootcertbundle`.
// TokenServer::registry_auth() fills it in for a running token server.
struct RegistryTokenAuth {
    std::string realm;  // "http://127.0.0.1:PORT/token"
    std::string service;
    std::string issuer;
    std::filesystem::path rootcertbundle;  // PEM certificate(s) of the token signer
};

// HTTPS (`http.tls`) with this certificate (PEM, may be followed by its chain) and key.
// make_server_certificate() makes throwaway ones.
// With `clientcas`, clients must present a certificate from one of those CAs (mutual TLS); the
// harness's own readiness probe then presents `probe_certificate` / `probe_key`.
struct RegistryTls {
    std::filesystem::path certificate;
    std::filesystem::path key;
    std::vector<std::filesystem::path> clientcas{};
    std::filesystem::path probe_certificate{};
    std::filesystem::path probe_key{};
};

struct RegistryOptions {
    std::map<std::string, std::string> users{};  // htpasswd auth when not empty: user -> password
    std::string realm = "boxtool-test";
    std::string proxy_remote_url{};  // pull-through cache of this upstream when set
    std::string proxy_username{};
    std::string proxy_password{};
    std::optional<RegistryTokenAuth> token{};  // token auth when set; not together with `users`
    std::optional<RegistryTls> tls{};          // HTTPS only when set, plain HTTP otherwise
    std::chrono::milliseconds start_timeout{std::chrono::seconds(30)};
};

class RegistryServer {
  public:
    explicit RegistryServer(RegistryOptions options = {});
    ~RegistryServer();
    RegistryServer(const RegistryServer&) = delete;
    RegistryServer& operator=(const RegistryServer&) = delete;

    // Starts and waits until GET /v2/ answers 200 or 401 (over HTTPS without verifying the
    // certificate, for a TLS registry); throws with the log's tail if it doesn't.
    void start();
    void stop();
    bool running();
    // Stops, then starts again on the same storage with other TLS settings (e.g. requiring client
    // certificates once images are seeded). The port may change: read host() afterwards.
    void restart_with_tls(const RegistryTls& tls);

    int port() const noexcept { return port_; }
    std::string host() const;  // "127.0.0.1:PORT"
    std::string url() const;   // "http://127.0.0.1:PORT", or https:// for a TLS registry
    const std::filesystem::path& log_path() const noexcept { return log_; }
    const std::filesystem::path& data_dir() const noexcept { return data_; }

    // Requests in the access log so far.
    std::vector<LoggedRequest> requests() const;
    // How many requests used `method` (any if empty) on a path matching `path_regex`.
    int count_requests(std::string_view method, const std::string& path_regex) const;

  private:
    bool try_start(std::string& why);
    void write_config() const;

    RegistryOptions options_;
    std::unique_ptr<TempDir> dir_;
    std::filesystem::path data_;
    std::filesystem::path log_;
    std::filesystem::path config_;
    int port_ = 0;
    ChildProcess process_;
};

}  // namespace boxtool::harness
