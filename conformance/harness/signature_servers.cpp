#include "harness/signature_servers.hpp"

namespace boxtool::harness {

ReferrersProxy::ReferrersProxy(std::string upstream, bool referrers_api)
    : ScriptServer("referrers proxy", "boxtool-referrers", "requests.log", "referrers.out"),
      upstream_(std::move(upstream)),
      api_(referrers_api) {}

void ReferrersProxy::start() {
    std::vector<std::string> args = {"--upstream", upstream_};
    if (!api_) args.push_back("--no-referrers");
    launch("conformance/fixtures/referrers_proxy.py", args, std::chrono::seconds(20));
}

int ReferrersProxy::count_requests(std::string_view method, const std::string& path_regex) const {
    return count_matching(parse_proxy_log(log_path()), method, path_regex);
}

HostileLookaside::HostileLookaside(std::string mode, std::filesystem::path root)
    : ScriptServer("hostile lookaside", "boxtool-lookaside", "requests.log", "lookaside.out"),
      mode_(std::move(mode)),
      root_(std::move(root)) {}

void HostileLookaside::start() {
    std::vector<std::string> args = {"--mode", mode_};
    if (!root_.empty()) args.insert(args.end(), {"--root", root_.string()});
    launch("conformance/fixtures/hostile_lookaside.py", args, std::chrono::seconds(20));
}

int HostileLookaside::count_requests(std::string_view method, const std::string& path_regex) const {
    return count_matching(parse_proxy_log(log_path()), method, path_regex);
}

}  // namespace boxtool::harness
