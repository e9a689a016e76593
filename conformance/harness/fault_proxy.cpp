#include "harness/fault_proxy.hpp"

#include <set>
#include <stdexcept>
#include <thread>

#include "harness/files.hpp"
#include "harness/paths.hpp"

namespace boxtool::harness {

FaultProxy::FaultProxy(FaultProxyOptions options)
    : options_(std::move(options)), log_(dir_ / "requests.log"), output_(dir_ / "proxy.out") {}

FaultProxy::~FaultProxy() {
    stop();
}

std::string FaultProxy::host() const {
    return "127.0.0.1:" + std::to_string(port_);
}

void FaultProxy::start() {
    std::vector<std::string> argv = {
        python().string(), fixture_script("conformance/fixtures/fault_proxy.py").string(),
        "--port",          "0",
        "--upstream",      options_.upstream,
        "--log",           log_.string()};
    for (const auto& rule : options_.fail) argv.insert(argv.end(), {"--fail", rule});
    for (const auto& rule : options_.redirect) argv.insert(argv.end(), {"--redirect", rule});
    for (const auto& rule : options_.reset) argv.insert(argv.end(), {"--reset", rule});
    for (const auto& rule : options_.corrupt) argv.insert(argv.end(), {"--corrupt", rule});
    write_file(log_, "");
    write_file(output_, "");
    // The script binds port 0 itself, so there is no race for the port; it prints it when ready.
    process_ = ChildProcess(argv, output_, {.env = {{"PYTHONUNBUFFERED", "1"}}});
    auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        // Python may warn on stderr (same file) before the announcement.
        std::string out = "\n" + read_file(output_);
        auto at = out.find("\nPORT ");
        if (at != std::string::npos && out.find('\n', at + 1) != std::string::npos) {
            port_ = std::stoi(out.substr(at + 6));
            return;
        }
        if (!process_.running()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    process_.stop();
    throw std::runtime_error("fault proxy did not start:\n" + tail_file(output_));
}

void FaultProxy::stop() {
    process_.stop();
}

std::vector<LoggedRequest> FaultProxy::requests() const {
    return parse_proxy_log(log_);
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

int FaultProxy::count_connections() const {
    std::set<std::string> connections;
    for (const auto& r : requests()) connections.insert(r.connection);
    return static_cast<int>(connections.size());
}

}  // namespace boxtool::harness
