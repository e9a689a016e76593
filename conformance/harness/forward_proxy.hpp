// A real forward proxy (Debian's tinyproxy) on 127.0.0.1, for HTTPS_PROXY / HTTP_PROXY tests. It
// runs in a private mount namespace whose /etc/hosts names `hosts`: names that only the proxy can
// resolve, so a pull that reaches them proves it went through the proxy (boxtool, outside the
// namespace, cannot resolve them at all). Needs root (unshare, mount); the tests run as root.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "harness/process.hpp"
#include "harness/temp_dir.hpp"

namespace boxtool::harness {

struct ForwardProxyOptions {
    std::map<std::string, std::string> hosts{};  // name -> address, seen by the proxy only
    std::optional<std::pair<std::string, std::string>> basic_auth{};  // user, password
};

class ForwardProxy {
  public:
    explicit ForwardProxy(ForwardProxyOptions options);
    ~ForwardProxy();
    ForwardProxy(const ForwardProxy&) = delete;
    ForwardProxy& operator=(const ForwardProxy&) = delete;

    // Starts tinyproxy and waits until it accepts connections; throws with its log if it doesn't.
    void start();
    int port() const noexcept { return port_; }
    // "http://127.0.0.1:PORT", or with "USER:PASS@" when `with_credentials` and BasicAuth is on.
    std::string url(bool with_credentials = true) const;
    // tinyproxy's log (connections, CONNECT requests, refusals).
    std::string log() const;

  private:
    ForwardProxyOptions options_;
    TempDir dir_{"boxtool-forward-proxy"};
    int port_ = 0;
    ChildProcess process_;
};

}  // namespace boxtool::harness
