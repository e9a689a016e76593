#include "harness/script_server.hpp"

#include <stdexcept>
#include <thread>

#include "harness/files.hpp"
#include "harness/paths.hpp"

namespace boxtool::harness {

std::optional<int> wait_for_announced_port(ChildProcess& child, const std::filesystem::path& output,
                                           std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        // The announcement may come after other lines; it counts once its line is complete.
        std::string out = "\n" + read_file(output);
        auto at = out.find("\nPORT ");
        if (at != std::string::npos && out.find('\n', at + 1) != std::string::npos) {
            return std::stoi(out.substr(at + 6));
        }
        if (!child.running()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

ScriptServer::ScriptServer(std::string_view name, std::string_view temp_prefix, const std::string& log_name,
                           const std::string& output_name)
    : name_(name), dir_(temp_prefix), log_(dir_ / log_name), output_(dir_ / output_name) {}

ScriptServer::~ScriptServer() {
    stop();
}

std::string ScriptServer::host() const {
    return "127.0.0.1:" + std::to_string(port_);
}

void ScriptServer::stop() {
    process_.stop();
}

void ScriptServer::launch(const std::filesystem::path& script, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout, const std::function<bool()>& ready) {
    std::vector<std::string> argv = {
        python().string(), fixture_script(script).string(), "--port", "0", "--log", log_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    write_file(log_, "");
    write_file(output_, "");
    port_ = 0;
    process_ = ChildProcess(argv, output_, {.env = {{"PYTHONUNBUFFERED", "1"}}});
    if (auto port = wait_for_announced_port(process_, output_, timeout); port && (!ready || ready())) {
        port_ = *port;
        return;
    }
    process_.stop();
    throw std::runtime_error(name_ + " did not start:\n" + tail_file(output_));
}

}  // namespace boxtool::harness
