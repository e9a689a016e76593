#include "harness/fault_proxy.hpp"

#include <set>
#include <sstream>

#include <utility>
#include "harness/files.hpp"

namespace boxtool::harness {

FaultProxy::FaultProxy(FaultProxyOptions options)
    : ScriptServer("fault proxy", "boxtool-proxy", "requests.log", "proxy.out"),
      options_(std::move(options)) {}

void FaultProxy::start() {
    std::vector<std::string> args = {"--upstream", options_.upstream};
    for (const auto& rule : options_.fail) args.insert(args.end(), {"--fail", rule});
    for (const auto& rule : options_.redirect) args.insert(args.end(), {"--redirect", rule});
    for (const auto& rule : options_.reset) args.insert(args.end(), {"--reset", rule});
    for (const auto& rule : options_.corrupt) args.insert(args.end(), {"--corrupt", rule});
    for (const auto& rule : options_.inject) args.insert(args.end(), {"--inject", rule});
    if (!options_.random.empty()) args.insert(args.end(), {"--random", options_.random});
    if (options_.strip_range) args.push_back("--strip-range");
    if (options_.throttle) args.insert(args.end(), {"--throttle", std::to_string(options_.throttle)});
    args.insert(args.end(), {"--bytes-log", file("bytes.log").string()});
    write_file(file("bytes.log"), "");
    for (const auto& mode : options_.breaks) args.insert(args.end(), {"--break", mode});
    if (options_.paginate_tags > 0)
        args.insert(args.end(), {"--paginate-tags", std::to_string(options_.paginate_tags)});
    if (!options_.tls_certificate.empty())
        args.insert(args.end(), {"--tls-cert", options_.tls_certificate, "--tls-key", options_.tls_key});
    launch("conformance/fixtures/fault_proxy.py", args, options_.start_timeout);
}

std::vector<LoggedRequest> FaultProxy::requests() const {
    return parse_proxy_log(log_path());
}

int FaultProxy::count_requests(std::string_view method, const std::string& path_regex) const {
    return count_matching(requests(), method, path_regex);
}

namespace {

std::vector<LoggedRequest> with_authorization(std::vector<LoggedRequest> requests, bool authorization) {
    std::erase_if(requests, [&](const LoggedRequest& r) { return r.authorization != authorization; });
    return requests;
}

}  // namespace

int FaultProxy::count_with_authorization(std::string_view method, const std::string& path_regex) const {
    return count_matching(with_authorization(requests(), true), method, path_regex);
}

int FaultProxy::count_without_authorization(std::string_view method, const std::string& path_regex) const {
    return count_matching(with_authorization(requests(), false), method, path_regex);
}

std::uint64_t FaultProxy::bytes_sent() const {
    std::istringstream in(read_file(file("bytes.log")));
    std::uint64_t total = 0;
    std::string method, target;
    std::uint64_t n = 0;
    while (in >> method >> target >> n) total += n;
    return total;
}

int FaultProxy::count_connections() const {
    std::set<std::string> connections;
    for (const auto& r : requests()) connections.insert(r.connection);
    return static_cast<int>(connections.size());
}

}  // namespace boxtool::harness
