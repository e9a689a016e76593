// conformance/fixtures/kbs_server.py, a stand-in Confidential Containers Key Broker Service (RCAR
// protocol 0.4.0, sample TEE only) over TLS, for the life of a scope.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/certificates.hpp"
#include "harness/script_server.hpp"

namespace boxtool::harness {

struct KbsServerOptions {
    std::map<std::string, std::string> resources{};  // "REPO/TYPE/TAG" -> the resource's bytes
    std::vector<std::string> denied{};               // resources the policy refuses (403)
    int expire_sessions = 0;  // the first N resource requests with a valid session get 401
    int token_lifetime = 300;
    bool rsa1_5 = false;                    // wrap keys for RSA TEE keys with RSA1_5, as older brokers did
    std::string hash_algorithm = "sha384";  // the challenge's selected-hash-algorithm
    bool tls = true;                        // HTTPS with a certificate for 127.0.0.1 signed by ca_path()
    std::chrono::milliseconds start_timeout{std::chrono::seconds(20)};
};

// One line of the server's log.
struct KbsRequest {
    std::string method;
    std::string path;
    int status = 0;
    std::string note;  // "attested", "released", or the error type ("PolicyDeny"...)
};

class KbsServer : public ScriptServer {
  public:
    explicit KbsServer(KbsServerOptions options);
    void start();

    std::string url() const;  // "https://127.0.0.1:PORT"
    // The PEM of the CA that signed the server's certificate: the plugin's "cert" setting.
    const std::filesystem::path& ca_path() const noexcept { return ca_.cert; }
    std::vector<KbsRequest> requests() const;
    int count(const std::string& method, const std::string& path_prefix, int status = 0) const;

  private:
    KbsServerOptions options_;
    Certificate ca_;
    Certificate server_;
};

}  // namespace boxtool::harness
