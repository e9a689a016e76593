// Runs the selected checks against one registry and namespace.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "boxtool/checks/check.hpp"
#include "boxtool/credentials.hpp"
#include "boxtool/network.hpp"
#include "boxtool/tls.hpp"

namespace boxtool::checks {

struct Target {
    std::string registry;    // host[:port]
    std::string name_space;  // repository the checks use ("team/conformance")
    // Plain HTTP allowed (and unverified HTTPS used for the API checks): --insecure-registry, the
    // config's insecure_registries, or an http:// OCI_ROOT_URL.
    bool insecure = false;
    bool force_plain_http = false;  // OCI_ROOT_URL named http://
    TlsOptions tls;
    std::optional<Credential> credential;
    std::string image;  // --image: "repository:tag" or "repository@digest" on the registry; empty: none
    bool push = false;  // write workflows enabled
    // Forward proxies for every connection the checks make, the TLS handshakes included (a CONNECT
    // tunnel): the same rules as a pull (HTTPS_PROXY, NO_PROXY...).
    ProxyOptions proxy;
    // A record per API request and answer, secrets redacted (boxtool conformance --debug); the TLS
    // checks' own handshakes are not HTTP requests and are not logged.
    LogCallback log;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds timeout{30000};
    std::vector<std::string> only;
    std::vector<std::string> skip;
    // Families turned off by the OCI suite's OCI_TEST_* variables ("pull", "discovery", "push",
    // "management"); empty: all.
    std::vector<std::string> disabled_families;
};

// Called as each check finishes (for progress on a terminal).
using ResultCallback = std::function<void(const CheckResult&)>;

std::vector<CheckResult> run_checks(const Target& target, const ResultCallback& on_result = {});

}  // namespace boxtool::checks
