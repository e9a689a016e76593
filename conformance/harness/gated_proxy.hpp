// conformance/fixtures/gated_proxy.py in front of a registry: requests whose path matches `hold`
// wait until open() is called (or the proxy's 120 s limit passes), for tests that need a download
// to stay in flight while they look at what the client did meanwhile.
#pragma once

#include <filesystem>
#include <string>

#include "harness/process.hpp"
#include "harness/temp_dir.hpp"

namespace boxtool::harness {

class GatedProxy {
  public:
    // Starts the proxy and waits for it to serve; throws std::runtime_error with its output if not.
    GatedProxy(const std::string& upstream_url, const std::string& hold_regex);
    ~GatedProxy();  // opens the gate, so held requests end, then stops the proxy
    GatedProxy(const GatedProxy&) = delete;
    GatedProxy& operator=(const GatedProxy&) = delete;

    const std::string& host() const noexcept { return host_; }  // "127.0.0.1:PORT"
    void open();                                                // lets the held requests through

  private:
    TempDir dir_{"boxtool-gated-proxy"};
    std::filesystem::path gate_;
    ChildProcess process_;
    std::string host_;
};

}  // namespace boxtool::harness
