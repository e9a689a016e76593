// Child processes without a shell: one-shot commands with captured output, and background
// servers. Children get their own process group and die with the test (PR_SET_PDEATHSIG), so a
// crashed or killed test binary leaves no registry behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace boxtool::harness {

struct RunOptions {
    std::map<std::string, std::string> env{};  // set or override in the inherited environment
    std::vector<std::string> unset_env{};      // removed from the inherited environment
    std::optional<std::string> stdin_text{};   // empty: stdin is /dev/null
    std::chrono::milliseconds timeout{120000};
    std::filesystem::path cwd{};
};

struct RunResult {
    int exit_code = -1;  // 128+N when killed by signal N
    bool timed_out = false;
    std::string out;
    std::string err;
    // Command line, exit code and both streams, for assertion messages.
    std::string describe() const;
    std::string command;
};

// Runs argv[0] (looked up on PATH unless it contains '/') and waits; on timeout the child's
// process group is killed. Throws std::runtime_error only if the program cannot be started.
RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

// The absolute path of a program, searched on PATH; empty if not found.
std::filesystem::path find_program(const std::string& name);

// A long-running child whose stdout and stderr go to a file. Stopped when destroyed.
// PR_SET_PDEATHSIG fires when the *thread* that forked exits, so start servers from the test's
// own thread, not from a short-lived helper thread.
class ChildProcess {
  public:
    ChildProcess() = default;
    ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& output,
                 const RunOptions& options = {});
    ~ChildProcess();
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    // False once the child has exited (and been reaped).
    bool running();
    // SIGTERM to the process group, then SIGKILL after the grace period. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    // The exit code (128+N for signal N) once the child has exited within `limit` (what is left of
    // its group is then killed); nothing while it still runs.
    std::optional<int> wait(std::chrono::milliseconds limit = std::chrono::minutes(10));

  private:
    void reap_group();
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

}  // namespace boxtool::harness
