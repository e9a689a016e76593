#include "boxtool/lua_policy.hpp"

#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

#include "sandbox.hpp"

namespace boxtool::lua {
namespace {

constexpr std::size_t kMaxScriptBytes = 1024 * 1024;

const char* hint_for(Outcome outcome) {
    switch (outcome) {
        case Outcome::SyntaxError:
            return "fix the script at the line named; check it with 'boxtool policy explain REF --policy "
                   "FILE'";
        case Outcome::RuntimeError:
            return "fix the script at the line named; the sandbox offers only base, table, string, math and "
                   "utf8 "
                   "(no io, os, package, debug, load, dofile)";
        case Outcome::OutOfMemory:
            return "the script builds something far too large; a policy decision needs little memory";
        case Outcome::OutOfBudget:
            return "the script loops for too long; a policy decision should be a few table lookups";
        case Outcome::InvalidResult:
            return "select(ref, ctx) must return a list of registry strings or candidate tables; see the "
                   "README's "
                   "\"Registry policy (Lua)\" section";
        default:
            return "";
    }
}

}  // namespace

const char* to_string(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::Candidates:
            return "candidates";
        case Outcome::Denied:
            return "denied";
        case Outcome::SyntaxError:
            return "syntax-error";
        case Outcome::RuntimeError:
            return "runtime-error";
        case Outcome::OutOfMemory:
            return "out-of-memory";
        case Outcome::OutOfBudget:
            return "out-of-budget";
        case Outcome::InvalidResult:
            return "invalid-result";
    }
    return "unknown";
}

LuaPolicy::LuaPolicy(std::string script, std::string name, LuaLimits limits)
    : script_(std::move(script)), name_(std::move(name)), limits_(limits) {}

Result<std::shared_ptr<LuaPolicy>> LuaPolicy::from_file(const std::filesystem::path& path, LuaLimits limits) {
    std::ifstream in(path, std::ios::binary);
    auto fail = [&](const std::string& why) {
        return Error{ErrorKind::Config,
                     "cannot use policy script " + path.string() + ": " + why,
                     {},
                     {},
                     "check the path given to --policy or the config file's \"policy\" key"};
    };
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec))
        return fail("cannot open it (does it exist and is it readable?)");
    std::string text(kMaxScriptBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxScriptBytes) return fail("larger than 1 MiB");
    return std::make_shared<LuaPolicy>(std::move(text), path.string(), limits);
}

namespace {

// Runs given up on (over the wall-clock limit) whose threads have not ended yet. A run stops at
// its next instruction hook once abandoned, so they end promptly, except inside one long library
// call; a bound keeps a hostile script from piling threads up in a long-running embedder.
std::atomic<int> g_abandoned_running{0};
constexpr int kMaxAbandonedRuns = 4;

}  // namespace

int LuaPolicy::abandoned_runs() noexcept {
    return g_abandoned_running.load();
}

// One decision on its own thread. The instruction budget cannot see time spent inside a single
// library call (a pathological string pattern runs in C); the wall-clock limit bounds that wait.
Decision LuaPolicy::decide(const Reference& reference, const PolicyContext& context) const {
    struct Job {
        std::string script, name;
        LuaLimits limits;
        Reference reference;
        PolicyContext context;
        std::atomic<bool> abandoned{false};
        std::promise<Decision> done;
        std::mutex mutex;
        bool given_up = false;  // guarded by mutex
        bool finished = false;  // guarded by mutex
    };
    if (g_abandoned_running.load() >= kMaxAbandonedRuns)
        return {Outcome::OutOfBudget,
                {},
                name_ + ": not run: " + std::to_string(kMaxAbandonedRuns) +
                    " earlier runs of policy scripts that overran their time are still being stopped"};
    try {
        auto job = std::make_shared<Job>();
        job->script = script_;
        job->name = name_;
        job->limits = limits_;
        job->reference = reference;
        job->context = context;
        auto result = job->done.get_future();
        std::thread worker([job] {
            try {
                job->done.set_value(detail::run_sandboxed(job->script, job->name, job->limits, job->reference,
                                                          job->context, job->abandoned));
            } catch (...) {
                job->done.set_exception(std::current_exception());
            }
            std::lock_guard lock(job->mutex);
            job->finished = true;
            if (job->given_up) --g_abandoned_running;
        });
        if (result.wait_for(limits_.wall_clock) == std::future_status::timeout) {
            // The thread owns everything it uses; it stops at its next hook and ends. It is counted
            // until then (see kMaxAbandonedRuns).
            job->abandoned = true;
            {
                std::lock_guard lock(job->mutex);
                if (!job->finished) {
                    job->given_up = true;
                    ++g_abandoned_running;
                }
            }
            worker.detach();
            return {Outcome::OutOfBudget,
                    {},
                    name_ + ": did not finish within " + std::to_string(limits_.wall_clock.count()) +
                        " ms (a runaway string pattern or library call?)"};
        }
        worker.join();
        return result.get();
    } catch (const std::bad_alloc&) {
        return {Outcome::OutOfMemory, {}, name_ + ": the host ran out of memory while running the policy"};
    } catch (const std::system_error& e) {
        return {Outcome::RuntimeError, {}, name_ + ": cannot run the policy: " + e.what()};
    }
}

Result<std::vector<Candidate>> LuaPolicy::select(const Reference& reference, const PolicyContext& context) {
    Decision d = decide(reference, context);
    if (d.outcome == Outcome::Candidates) return std::move(d.candidates);
    Error e;
    e.repository = reference.repository;
    e.registry = reference.registry;
    if (d.outcome == Outcome::Denied) {
        e.kind = ErrorKind::PolicyDenied;
        e.message = "policy " + name_ + " denied " + reference.str() + ": " + d.message;
        e.hint = "the registry policy refuses this reference; pull an allowed one or ask the policy's owner";
    } else {
        e.kind = ErrorKind::PolicyError;
        e.message = std::string("policy script failed (") + to_string(d.outcome) + "): " + d.message;
        e.hint = hint_for(d.outcome);
    }
    return e;
}

}  // namespace boxtool::lua
