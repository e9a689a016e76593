#include "helper_protocol.hpp"

#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "redact.hpp"
#include "secure_wipe.hpp"

extern char** environ;

namespace boxtool::plugins {
namespace {

constexpr std::string_view kNotFound = "credentials not found in native keychain";

struct Fd {
    int fd = -1;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

std::filesystem::path find_on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string list = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find(':', start);
        if (end == std::string::npos) end = list.size();
        std::string dir = end > start ? list.substr(start, end - start) : ".";
        auto candidate = std::filesystem::path(dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0 && std::filesystem::is_regular_file(candidate))
            return candidate;
        start = end + 1;
    }
    return {};
}

std::vector<std::string> child_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        if (entry.substr(0, 8) == "BOXTOOL_") continue;
        env.emplace_back(entry);
    }
    return env;
}

// Writes all of `data` to a pipe without letting SIGPIPE kill the process if the child is gone.
void write_ignoring_sigpipe(int fd, const std::string& data) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    std::size_t off = 0;
    bool broken = false;
    while (off < data.size()) {
        auto n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            broken = errno == EPIPE;
            break;
        }
        off += static_cast<std::size_t>(n);
    }
    if (broken) {
        timespec zero{0, 0};
        sigtimedwait(&block, nullptr, &zero);  // consume the pending SIGPIPE
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

struct ChildOutput {
    std::string out, err;
    int status = 0;
    bool timed_out = false, too_much = false;
    ~ChildOutput() { secure_wipe(out); }
};

void run_child(const std::filesystem::path& program, const std::string& action, const std::string& input,
               const HelperLimits& limits, ChildOutput& result) {
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    Fd in_r{in_pipe[0]}, in_w{in_pipe[1]};
    if (::pipe2(out_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    Fd out_r{out_pipe[0]}, out_w{out_pipe[1]};
    if (::pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    Fd err_r{err_pipe[0]}, err_w{err_pipe[1]};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_r.fd, 0);
    posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // no registry sockets leak into the helper
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);  // its own group, so a timeout kills its children too
    sigset_t none, defaults;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);

    auto env = child_environment();
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string arg0 = program.filename().string(), arg1 = action;
    char* argv[] = {arg0.data(), arg1.data(), nullptr};
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("cannot run " + program.string() + ": " + std::strerror(rc));
    in_r.reset();
    out_w.reset();
    err_w.reset();

    write_ignoring_sigpipe(in_w.fd, input);
    in_w.reset();

    auto deadline = std::chrono::steady_clock::now() + limits.timeout;
    pollfd fds[2] = {{out_r.fd, POLLIN, 0}, {err_r.fd, POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_fds = 2;
    char buffer[4096];
    while (open_fds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            break;
        }
        int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            auto got = ::read(fds[i].fd, buffer, sizeof buffer);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {
                fds[i].fd = -1;
                --open_fds;
                continue;
            }
            sinks[i]->append(buffer, static_cast<std::size_t>(got));
            if (sinks[i]->size() > limits.max_output) result.too_much = true;
        }
        if (result.too_much) break;
    }
    ::memset(buffer, 0, sizeof buffer);
    if (result.timed_out || result.too_much) ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
    }
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "ended abnormally";
}

}  // namespace

HelperAnswer::~HelperAnswer() {
    secure_wipe(secret);
}

bool valid_helper_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
    for (unsigned char c : name)
        if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

std::optional<HelperAnswer> run_credential_helper(const std::string& helper, const std::string& server_url,
                                                  const HelperLimits& limits) {
    if (!valid_helper_name(helper))
        throw std::runtime_error("\"" + helper + "\" is not a valid credential helper name");
    std::string program = "docker-credential-" + helper;
    auto path = find_on_path(program);
    if (path.empty()) throw std::runtime_error(program + " was not found on PATH; install it or fix PATH");

    ChildOutput child;
    run_child(path, "get", server_url, limits, child);
    if (child.timed_out)
        throw std::runtime_error(program + " did not answer within " +
                                 std::to_string(limits.timeout.count() / 1000) + " s and was killed");
    if (child.too_much)
        throw std::runtime_error(program + " printed more than " + std::to_string(limits.max_output / 1024) +
                                 " KiB and was stopped");
    bool exited_ok = WIFEXITED(child.status) && WEXITSTATUS(child.status) == 0;
    if (!exited_ok) {
        if (child.out.find(kNotFound) != std::string::npos || child.err.find(kNotFound) != std::string::npos)
            return std::nullopt;
        std::string detail = redact_for_display(child.err.empty() ? child.out : child.err);
        throw std::runtime_error(program + " " + describe_status(child.status) +
                                 (detail.empty() ? std::string() : ": " + detail));
    }

    HelperAnswer answer;
    try {
        Poco::JSON::Parser parser;
        auto parsed = parser.parse(child.out);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) throw std::runtime_error("not an object");
        auto obj = parsed.extract<Poco::JSON::Object::Ptr>();
        auto field = [&](const char* name) -> std::string {
            if (!obj->has(name) || obj->get(name).isEmpty()) return {};
            if (!obj->get(name).isString()) throw std::runtime_error(std::string(name) + " is not a string");
            return obj->get(name).convert<std::string>();
        };
        answer.username = field("Username");
        answer.secret = field("Secret");
    } catch (const Poco::Exception&) {
        throw std::runtime_error(program +
                                 " printed malformed JSON (output not shown: it may hold a secret)");
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(program + " printed malformed JSON: " + e.what());
    }
    if (answer.secret.empty()) return std::nullopt;
    if (answer.username == "<token>") {
        answer.identity_token = true;
        answer.username.clear();
    }
    return answer;
}

namespace {

// `store` and `erase`: success or an error with the helper's first words (secrets redacted).
void run_helper_action(const std::string& helper, const std::string& action, const std::string& input,
                       const HelperLimits& limits) {
    if (!valid_helper_name(helper))
        throw std::runtime_error("\"" + helper + "\" is not a valid credential helper name");
    std::string program = "docker-credential-" + helper;
    auto path = find_on_path(program);
    if (path.empty()) throw std::runtime_error(program + " was not found on PATH; install it or fix PATH");
    ChildOutput child;
    run_child(path, action, input, limits, child);
    if (child.timed_out)
        throw std::runtime_error(program + " " + action + " did not finish within " +
                                 std::to_string(limits.timeout.count() / 1000) + " s and was killed");
    if (child.too_much) throw std::runtime_error(program + " printed too much and was stopped");
    if (!WIFEXITED(child.status) || WEXITSTATUS(child.status) != 0) {
        if (action == "erase" && (child.out.find(kNotFound) != std::string::npos ||
                                  child.err.find(kNotFound) != std::string::npos))
            return;
        std::string detail = redact_for_display(child.err.empty() ? child.out : child.err);
        throw std::runtime_error(program + " " + action + " " + describe_status(child.status) +
                                 (detail.empty() ? std::string() : ": " + detail));
    }
}

}  // namespace

void store_with_credential_helper(const std::string& helper, const std::string& server_url,
                                  const std::string& username, const std::string& secret,
                                  const HelperLimits& limits) {
    Poco::JSON::Object payload;
    payload.set("ServerURL", server_url);
    payload.set("Username", username);
    payload.set("Secret", secret);
    std::ostringstream text;
    payload.stringify(text);
    std::string input = text.str();
    try {
        run_helper_action(helper, "store", input, limits);
    } catch (...) {
        secure_wipe(input);
        throw;
    }
    secure_wipe(input);
}

void erase_with_credential_helper(const std::string& helper, const std::string& server_url,
                                  const HelperLimits& limits) {
    run_helper_action(helper, "erase", server_url, limits);
}

}  // namespace boxtool::plugins
