// conformance/fixtures/fault_proxy.py in front of an upstream registry, for the life of a scope.
// Rule syntax is the script's: "[METHOD ]REGEX:STATUS:COUNT" for fail, "[METHOD ]REGEX:COUNT" for
// reset and corrupt; COUNT "*" means every matching request. "[METHOD ]REGEX:BASEURL" for redirect
// answers every matching request 307 to BASEURL + its path ("http://" + another proxy's host()).
// Clients may keep connections alive; the log tells which requests shared one, and which carried
// an Authorization header.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/request_log.hpp"
#include "harness/script_server.hpp"

namespace boxtool::harness {

struct FaultProxyOptions {
    std::string upstream{};  // "http://127.0.0.1:PORT"
    std::vector<std::string> fail{};
    std::vector<std::string> redirect{};
    std::vector<std::string> reset{};
    std::vector<std::string> corrupt{};
    std::vector<std::string> inject{};  // "[METHOD ]REGEX:KIND:COUNT", KIND from the --random list
    std::string random{};               // "SEED:RATE[:FAULTS]": random faults (see the script)
    std::uint64_t throttle = 0;         // bytes per second for bodies; 0: full speed
    bool strip_range = false;           // forward without Range (200 for resumes); faults still apply
    // --break modes (fault_proxy.py): strip-digest, wrong-digest, missing-blob-200, ignore-range,
    // malformed-challenge, empty-error-bodies, wrong-error-codes, auth-404.
    std::vector<std::string> breaks{};
    int paginate_tags = 0;          // > 0: serve tag lists in pages of this size, with Link headers
    std::string tls_certificate{};  // PEM files: serve HTTPS when set (the upstream stays HTTP)
    std::string tls_key{};
    std::chrono::milliseconds start_timeout{std::chrono::seconds(20)};
};

class FaultProxy : public ScriptServer {
  public:
    explicit FaultProxy(FaultProxyOptions options);

    // Starts and waits for the script to announce its port; throws with its output if it doesn't.
    // port(), host(), log_path() and stop() come from ScriptServer.
    void start();

    std::vector<LoggedRequest> requests() const;
    int count_requests(std::string_view method, const std::string& path_regex) const;
    // As count_requests, only those that did / did not carry an Authorization header.
    int count_with_authorization(std::string_view method, const std::string& path_regex) const;
    int count_without_authorization(std::string_view method, const std::string& path_regex) const;
    // How many client connections the requests so far came over.
    int count_connections() const;
    // Body bytes sent to clients so far (all answers), from the proxy's bytes log.
    std::uint64_t bytes_sent() const;

  private:
    FaultProxyOptions options_;
};

}  // namespace boxtool::harness
