// conformance/fixtures/fault_proxy.py in front of an upstream registry, for the life of a scope.
// Rule syntax is the script's: "[METHOD ]REGEX:STATUS:COUNT" for fail, "[METHOD ]REGEX:COUNT" for
// reset and corrupt; COUNT "*" means every matching request. "[METHOD ]REGEX:BASEURL" for redirect
// answers every matching request 307 to BASEURL + its path ("http://" + another proxy's host()).
// Clients may keep connections alive; the log tells which requests shared one, and which carried
// an Authorization header.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/process.hpp"
#include "harness/request_log.hpp"
#include "harness/temp_dir.hpp"

namespace boxtool::harness {

struct FaultProxyOptions {
    std::string upstream{};  // "http://127.0.0.1:PORT"
    std::vector<std::string> fail{};
    std::vector<std::string> redirect{};
    std::vector<std::string> reset{};
    std::vector<std::string> corrupt{};
    std::chrono::milliseconds start_timeout{std::chrono::seconds(20)};
};

class FaultProxy {
  public:
    explicit FaultProxy(FaultProxyOptions options);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    // Starts and waits for the script to announce its port; throws with its output if it doesn't.
    void start();
    void stop();

    int port() const noexcept { return port_; }
    std::string host() const;  // "127.0.0.1:PORT"
    const std::filesystem::path& log_path() const noexcept { return log_; }
    std::vector<LoggedRequest> requests() const;
    int count_requests(std::string_view method, const std::string& path_regex) const;
    // As count_requests, only those that did / did not carry an Authorization header.
    int count_with_authorization(std::string_view method, const std::string& path_regex) const;
    int count_without_authorization(std::string_view method, const std::string& path_regex) const;
    // How many client connections the requests so far came over.
    int count_connections() const;

  private:
    FaultProxyOptions options_;
    TempDir dir_{"boxtool-proxy"};
    std::filesystem::path log_;
    std::filesystem::path output_;
    int port_ = 0;
    ChildProcess process_;
};

}  // namespace boxtool::harness
