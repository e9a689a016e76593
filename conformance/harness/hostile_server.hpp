// conformance/fixtures/hostile_server.py: a registry and token service on raw sockets that
// misbehave as the security review's attacks did (a CR/LF token, terminal escapes in errors, an
// oversized token, a redirected password grant, a drip, silence), recording every byte received.
#pragma once

#include <chrono>
#include <string>

#include "harness/script_server.hpp"

namespace boxtool::harness {

struct HostileServerOptions {
    std::string mode;       // see the script's docstring
    std::string variant{};  // escape-error: registry-error, www-authenticate, token-error
    std::chrono::milliseconds start_timeout{std::chrono::seconds(20)};
};

class HostileServer : public ScriptServer {
  public:
    explicit HostileServer(HostileServerOptions options);
    void start();
    // Every byte clients sent, connection by connection ("=== conn N port P ===" lines between).
    std::string received() const;
    // redirect-token: the second port (another origin), whose bytes are in received() too.
    int other_port() const noexcept { return other_port_; }

  private:
    HostileServerOptions options_;
    int other_port_ = 0;
};

}  // namespace boxtool::harness
