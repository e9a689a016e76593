// Servers for the trust tests: a registry with the OCI referrers API (fixtures/referrers_proxy.py in
// front of a registry:2, which lacks it) and a lookaside that misbehaves (fixtures/hostile_lookaside.py).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/request_log.hpp"
#include "harness/script_server.hpp"

namespace boxtool::harness {

class ReferrersProxy : public ScriptServer {
  public:
    // `upstream`: "http://127.0.0.1:PORT" of a registry:2. Without the API, the route answers 404.
    explicit ReferrersProxy(std::string upstream, bool referrers_api = true);
    void start();
    int count_requests(std::string_view method, const std::string& path_regex) const;

  private:
    std::string upstream_;
    bool api_;
};

class HostileLookaside : public ScriptServer {
  public:
    // `mode`: endless, huge, trickle, stall, garbage, error, or files (serving `root`; see the script).
    explicit HostileLookaside(std::string mode, std::filesystem::path root = {});
    void start();
    std::string url() const { return "http://" + host(); }
    int count_requests(std::string_view method, const std::string& path_regex) const;

  private:
    std::string mode_;
    std::filesystem::path root_;
};

}  // namespace boxtool::harness
