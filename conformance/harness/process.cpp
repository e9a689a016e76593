#include "harness/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace boxtool::harness {
namespace {

using Clock = std::chrono::steady_clock;

// Everything execve needs, built before fork: after fork only async-signal-safe calls are allowed,
// and tests fork from several threads at once.
struct ExecPlan {
    std::string program;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::vector<char*> argv;
    std::vector<char*> envp;
    std::string cwd;
};

ExecPlan plan_exec(const std::vector<std::string>& argv, const RunOptions& options) {
    if (argv.empty()) throw std::invalid_argument("run: empty argv");
    ExecPlan plan;
    plan.program = find_program(argv[0]).string();
    if (plan.program.empty()) throw std::runtime_error("run: program not found: " + argv[0]);
    plan.args = argv;
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string entry(*e);
        auto eq = entry.find('=');
        if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& name : options.unset_env) env.erase(name);
    for (const auto& [name, value] : options.env) env[name] = value;
    for (const auto& [name, value] : env) plan.env.push_back(name + "=" + value);
    for (auto& a : plan.args) plan.argv.push_back(a.data());
    plan.argv.push_back(nullptr);
    for (auto& e : plan.env) plan.envp.push_back(e.data());
    plan.envp.push_back(nullptr);
    plan.cwd = options.cwd.string();
    return plan;
}

// In the child: own process group, killed with the parent, then exec. Never returns.
[[noreturn]] void exec_child(const ExecPlan& plan, pid_t parent) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    if (!plan.cwd.empty() && ::chdir(plan.cwd.c_str()) != 0) ::_exit(127);
    ::execve(plan.program.c_str(), plan.argv.data(), plan.envp.data());
    ::_exit(127);
}

pid_t fork_checked() {
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    return pid;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

struct Pipe {
    int read = -1;
    int write = -1;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        read = fds[0];
        write = fds[1];
    }
};

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// Shuttles stdin text in and both output streams out until the child closes them or time runs out.
bool pump(int in_fd, const std::string& in_text, int out_fd, int err_fd, RunResult& result,
          Clock::time_point deadline) {
    std::size_t in_offset = 0;
    if (in_fd >= 0) ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
    if (in_fd >= 0 && in_text.empty()) close_fd(in_fd);
    char buffer[65536];
    while (out_fd >= 0 || err_fd >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            close_fd(in_fd);
            return false;
        }
        pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
        int ready = ::poll(fds, 3, static_cast<int>(left));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                close_fd(i == 0 ? out_fd : err_fd);
            }
        }
        if (in_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = ::write(in_fd, in_text.data() + in_offset, in_text.size() - in_offset);
            if (n > 0) in_offset += static_cast<std::size_t>(n);
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || in_offset == in_text.size()) close_fd(in_fd);
        }
    }
    close_fd(in_fd);
    return true;
}

// Whether the child has exited, leaving it unreaped.
bool has_exited(pid_t pid) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return true;
    return info.si_pid == pid;
}

int wait_for(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return decode_status(status);
}

std::string join(const std::vector<std::string>& argv) {
    std::string text;
    for (const auto& a : argv) text += (text.empty() ? "" : " ") + a;
    return text;
}

}  // namespace

std::filesystem::path find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        return ::access(name.c_str(), X_OK) == 0 ? std::filesystem::path(name) : std::filesystem::path();
    }
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

std::string RunResult::describe() const {
    std::ostringstream text;
    text << "$ " << command << "\nexit code: " << exit_code << (timed_out ? " (timed out)" : "")
         << "\n--- stdout ---\n"
         << out << "\n--- stderr ---\n"
         << err << "\n";
    return text.str();
}

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
    // A child that exits without reading its stdin must fail the write, not kill the test.
    static const bool sigpipe_ignored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    (void)sigpipe_ignored;
    ExecPlan plan = plan_exec(argv, options);
    Pipe in, out, err;
    pid_t parent = ::getpid();
    pid_t pid = fork_checked();
    if (pid == 0) {
        if (options.stdin_text) {
            ::dup2(in.read, 0);
        } else {
            int null = ::open("/dev/null", O_RDONLY);
            ::dup2(null, 0);
        }
        ::dup2(out.write, 1);
        ::dup2(err.write, 2);
        exec_child(plan, parent);
    }
    ::close(in.read);
    ::close(out.write);
    ::close(err.write);
    if (!options.stdin_text) close_fd(in.write);

    RunResult result;
    result.command = join(argv);
    bool finished = pump(in.write, options.stdin_text.value_or(""), out.read, err.read, result,
                         Clock::now() + options.timeout);
    if (!finished) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
    }
    ::close(out.read);
    ::close(err.read);
    result.exit_code = wait_for(pid);
    return result;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& output,
                           const RunOptions& options) {
    ExecPlan plan = plan_exec(argv, options);
    int log = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) throw std::runtime_error("open " + output.string() + ": " + std::strerror(errno));
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, 0);
        ::dup2(log, 1);
        ::dup2(log, 2);
        exec_child(plan, parent);
    }
    int saved = errno;
    ::close(log);
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(saved));
    // Also set from here, so a stop() right after the fork already reaches the whole group.
    ::setpgid(pid, pid);
    pid_ = pid;
}

ChildProcess::~ChildProcess() {
    stop();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), exit_code_(other.exit_code_) {
    other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        stop();
        pid_ = other.pid_;
        exit_code_ = other.exit_code_;
        other.pid_ = -1;
    }
    return *this;
}

bool ChildProcess::running() {
    if (pid_ <= 0) return false;
    if (!has_exited(pid_)) return true;
    reap_group();
    return false;
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
    if (!running()) return;
    ::kill(-pid_, SIGTERM);
    auto deadline = Clock::now() + grace;
    while (Clock::now() < deadline && !has_exited(pid_)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    reap_group();
}

// The leader is not reaped until its group is killed: while it is a zombie its pid cannot be
// reused, so the signal cannot reach a stranger.
void ChildProcess::reap_group() {
    ::kill(-pid_, SIGKILL);
    exit_code_ = wait_for(pid_);
    pid_ = -1;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds limit) {
    const auto until = Clock::now() + limit;
    while (pid_ > 0 && !has_exited(pid_)) {
        if (Clock::now() >= until) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (pid_ > 0) reap_group();
    return exit_code_;
}

}  // namespace boxtool::harness
