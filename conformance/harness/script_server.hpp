// What the Python fixture servers (fixtures/fault_proxy.py, fixtures/token_server.py) have in
// common: a temp dir for their request log and output, and a port they bind themselves (port 0, so
// there is no race for it) and announce on a line "PORT n" once they serve.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/process.hpp"
#include "harness/temp_dir.hpp"

namespace boxtool::harness {

// Waits for the line "PORT n" in `output`, the file that has `child`'s stdout and stderr (Python
// may warn on stderr before it). The port, or nothing if the child exits or `timeout` passes first.
std::optional<int> wait_for_announced_port(ChildProcess& child, const std::filesystem::path& output,
                                           std::chrono::milliseconds timeout);

class ScriptServer {
  public:
    ScriptServer(const ScriptServer&) = delete;
    ScriptServer& operator=(const ScriptServer&) = delete;

    void stop();

    int port() const noexcept { return port_; }  // 0 until started
    std::string host() const;                    // "127.0.0.1:PORT"
    const std::filesystem::path& log_path() const noexcept { return log_; }

  protected:
    // `name` says what the server is in errors; the files are in a new temp dir.
    ScriptServer(std::string_view name, std::string_view temp_prefix, const std::string& log_name,
                 const std::string& output_name);
    ~ScriptServer();

    // A file in the server's temp dir.
    std::filesystem::path file(const std::string& name) const { return dir_ / name; }

    // Runs `script` (relative to the repository) with `args` and --port 0 --log LOG, both files
    // emptied first, and waits for it to announce its port and then for `ready` (if given) to hold.
    // Otherwise stops it and throws std::runtime_error with the tail of its output.
    void launch(const std::filesystem::path& script, const std::vector<std::string>& args,
                std::chrono::milliseconds timeout, const std::function<bool()>& ready = {});

  private:
    std::string name_;
    TempDir dir_;
    std::filesystem::path log_;
    std::filesystem::path output_;
    int port_ = 0;
    ChildProcess process_;
};

}  // namespace boxtool::harness
