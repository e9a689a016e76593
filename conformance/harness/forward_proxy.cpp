#include "harness/forward_proxy.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <stdexcept>
#include <thread>

#include "harness/files.hpp"
#include "harness/paths.hpp"

namespace boxtool::harness {

ForwardProxy::ForwardProxy(ForwardProxyOptions options) : options_(std::move(options)) {}

ForwardProxy::~ForwardProxy() {
    process_.stop(std::chrono::seconds(2));
}

std::string ForwardProxy::url(bool with_credentials) const {
    std::string auth;
    if (with_credentials && options_.basic_auth)
        auth = options_.basic_auth->first + ":" + options_.basic_auth->second + "@";
    return "http://" + auth + "127.0.0.1:" + std::to_string(port_);
}

std::string ForwardProxy::log() const {
    try {
        return read_file(dir_ / "tinyproxy.log");
    } catch (const std::exception&) {
        return {};
    }
}

void ForwardProxy::start() {
    std::string hosts = "127.0.0.1 localhost\n::1 localhost\n";
    for (const auto& [name, address] : options_.hosts) hosts += address + " " + name + "\n";
    write_file(dir_ / "hosts", hosts);
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = free_port();
        // No ConnectPort lines: CONNECT is allowed to any port (registries listen on test ports).
        std::string conf =
            "Port " + std::to_string(port_) +
            "\nListen 127.0.0.1\nTimeout 60\nMaxClients 50\nAllow 127.0.0.1\nDisableViaHeader Yes\n"
            "LogLevel Info\nLogFile \"" +
            (dir_ / "tinyproxy.log").string() + "\"\n";
        if (options_.basic_auth)
            conf += "BasicAuth " + options_.basic_auth->first + " " + options_.basic_auth->second + "\n";
        write_file(dir_ / "tinyproxy.conf", conf);
        auto tinyproxy = find_program("tinyproxy");
        if (tinyproxy.empty())
            throw std::runtime_error("tinyproxy is not installed (scripts/setup.sh installs it)");
        // The proxy alone sees the test's /etc/hosts: a bind mount in its own mount namespace.
        process_ =
            ChildProcess({"unshare", "--mount", "--propagation", "private", "sh", "-c",
                          "mount --bind \"$0\" /etc/hosts && exec \"$1\" -d -c \"$2\"",
                          (dir_ / "hosts").string(), tinyproxy.string(), (dir_ / "tinyproxy.conf").string()},
                         dir_ / "output");
        for (int i = 0; i < 100 && process_.running(); ++i) {
            try {
                Poco::Net::StreamSocket probe(
                    Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port_)));
                return;
            } catch (const Poco::Exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        process_.stop(std::chrono::seconds(1));
    }
    std::string out;
    try {
        out = read_file(dir_ / "output");
    } catch (const std::exception&) {
    }
    throw std::runtime_error("tinyproxy did not start: " + out + log());
}

}  // namespace boxtool::harness
