#include "sandbox.hpp"

#include <lua.hpp>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <new>

#include "candidate_reader.hpp"

namespace boxtool::lua::detail {
namespace {

// Instructions between two budget checks: small enough to stop promptly, large enough to be cheap.
constexpr int kHookInterval = 1000;
// Granted once the cap is hit or the script is done, so the host can still raise and read errors.
constexpr std::size_t kHostReserve = 256 * 1024;
constexpr std::size_t kMaxDenyReason = 1000;

// The state's bookkeeping, reachable from the allocator, the hook and deny() (it is the allocator's
// user data). Plain data only: Lua errors unwind with longjmp and must skip no destructor.
struct Run {
    const std::string* script = nullptr;
    const std::string* chunk_name = nullptr;  // "@" + name, so Lua's messages start with the name
    const ScriptInputs* inputs = nullptr;
    std::size_t used = 0;
    std::size_t limit = 0;
    std::uint64_t budget = 0;
    std::uint64_t executed = 0;
    const std::atomic<bool>* abandoned = nullptr;  // set by the caller's watchdog
    bool out_of_memory = false;
    bool out_of_budget = false;
    bool denied = false;
    bool load_failed = false;
    int line = 0;  // the last script line seen calling a function or running: for memory errors
    char deny_reason[kMaxDenyReason + 1] = {};
};

// Every C function Lua calls goes through this: a C++ exception becomes a Lua error raised after
// the handler is done, so no exception unwinds through Lua's C frames (Lua errors are longjmps).
template <int (*Body)(lua_State*)>
int guarded(lua_State* L) {
    const char* failure = nullptr;
    try {
        return Body(L);
    } catch (const std::bad_alloc&) {
        failure = "the host ran out of memory";
    } catch (const std::exception&) {
        failure = "internal error in the policy host";
    } catch (...) {
        failure = "unknown internal error in the policy host";
    }
    return luaL_error(L, "%s", failure);
}

Run* run_of(lua_State* L) {
    void* ud = nullptr;
    lua_getallocf(L, &ud);
    return static_cast<Run*>(ud);
}

// Enforces the memory cap. Lua turns a null answer into a memory error it can unwind.
void* limited_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
    auto* run = static_cast<Run*>(ud);
    std::size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        std::free(ptr);
        run->used -= old;
        return nullptr;
    }
    if (nsize > old && run->used - old + nsize > run->limit) {
        if (!run->out_of_memory) {
            run->out_of_memory = true;
            run->limit += kHostReserve;  // room to build the error; the script is stopped at its next hook
        }
        return nullptr;
    }
    void* p = std::realloc(ptr, nsize);
    if (!p) {
        run->out_of_memory = true;
        return nullptr;
    }
    run->used = run->used - old + nsize;
    return p;
}

int current_line(lua_State* L, int level) {
    lua_Debug ar;
    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "l", &ar) && ar.currentline > 0) return ar.currentline;
    return 0;
}

// Counts instructions, remembers the line for memory errors, and stops a script over its limits.
// Once tripped it fires on every instruction, so a pcall in the script cannot keep it running.
void limit_hook(lua_State* L, lua_Debug* ar) {
    Run* run = run_of(L);
    if (ar->event == LUA_HOOKCALL) {
        if (int line = current_line(L, 1)) run->line = line;
        return;
    }
    if (ar->event != LUA_HOOKCOUNT) return;
    if (lua_getinfo(L, "l", ar) && ar->currentline > 0) run->line = ar->currentline;
    if (!run->out_of_budget && !run->out_of_memory && !run->denied) {
        run->executed += kHookInterval;
        if (run->executed <= run->budget && !run->abandoned->load(std::memory_order_relaxed)) return;
        run->out_of_budget = true;
    }
    lua_sethook(L, limit_hook, LUA_MASKCOUNT, 1);
    if (run->denied) {
        lua_pushlightuserdata(L, run);  // deny's marker: the decision is already made
        lua_error(L);
    }
    luaL_error(L, "%s", run->out_of_budget ? "instruction budget exhausted" : "not enough memory");
}

// deny(reason): records the refusal and stops the script. A pcall in the script cannot undo it.
int lua_deny(lua_State* L) {
    Run* run = static_cast<Run*>(lua_touserdata(L, lua_upvalueindex(1)));
    if (!lua_isnoneornil(L, 1) && lua_type(L, 1) != LUA_TSTRING)
        return luaL_error(L, "deny(reason): reason must be a string, got %s", luaL_typename(L, 1));
    std::size_t n = 0;
    const char* text = lua_isnoneornil(L, 1) ? "denied by policy" : lua_tolstring(L, 1, &n);
    if (lua_isnoneornil(L, 1)) n = 16;
    if (n > kMaxDenyReason) n = kMaxDenyReason;
    for (std::size_t i = 0; i < n; ++i) run->deny_reason[i] = text[i];
    run->deny_reason[n] = '\0';
    run->denied = true;
    run->line = current_line(L, 1);
    lua_sethook(L, limit_hook, LUA_MASKCOUNT, 1);
    lua_pushlightuserdata(L, run);
    return lua_error(L);
}

// setmetatable without finalizers: Lua runs __gc metamethods with hooks off, so a finalizer would
// escape the instruction budget (an endless loop in one would spin forever, even after the
// decision was given up). A __gc field added to a metatable later marks nothing for finalization,
// so checking here is enough.
int lua_safe_setmetatable(lua_State* L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L,
                              "setmetatable: __gc metamethods are not allowed in a policy script "
                              "(finalizers would run outside the instruction budget)");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

// Lua's pattern matcher backtracks: k quantifiers over a subject of n bytes may take n^k steps
// inside one library call, where no instruction hook runs. A pattern whose worst case is out of
// all proportion is refused before it runs, so a decision can always be stopped, and a run given
// up on ends rather than spinning on.
constexpr double kMaxPatternCost = 1e9;

double pattern_cost(const char* p, std::size_t plen, std::size_t subject_len, bool every_position) {
    int quantifiers = 0;
    for (std::size_t i = 0; i < plen; ++i) {
        char c = p[i];
        if (c == '%') {
            ++i;  // an escape or class: the next byte is not special
        } else if (c == '[') {
            // A set: up to its closing bracket ("[]...]" and "[^]...]" start with a literal ']').
            ++i;
            if (i < plen && p[i] == '^') ++i;
            if (i < plen && p[i] == ']') ++i;
            while (i < plen && p[i] != ']') i += p[i] == '%' ? 2 : 1;
        } else if (c == '*' || c == '+' || c == '-') {
            ++quantifiers;
        }
    }
    double n = static_cast<double>(subject_len) + 1;
    double cost = 1;
    for (int q = 0; q < quantifiers + (every_position ? 1 : 0) && cost <= kMaxPatternCost; ++q) cost *= n;
    return cost;
}

// string.find / match / gmatch / gsub with the cost check; upvalue 1 is the original function,
// upvalue 2 whether arg 4 may say "plain" (find).
int lua_costed_match(lua_State* L) {
    bool may_be_plain = lua_toboolean(L, lua_upvalueindex(2));
    if ((lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) &&
        (lua_type(L, 2) == LUA_TSTRING || lua_type(L, 2) == LUA_TNUMBER) &&
        !(may_be_plain && lua_toboolean(L, 4))) {
        std::size_t n = 0, plen = 0;
        lua_tolstring(L, 1, &n);
        const char* pattern = lua_tolstring(L, 2, &plen);
        bool anchored = plen > 0 && pattern[0] == '^';  // tried at the first position only
        if (pattern_cost(pattern, plen, n, !anchored) > kMaxPatternCost)
            return luaL_error(L,
                              "string pattern too costly for a policy (its quantifiers could backtrack for "
                              "ages over a %d-byte string); simplify it",
                              static_cast<int>(n));
    }
    int args = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, args, LUA_MULTRET);
    return lua_gettop(L);
}

// Non-string error objects get the script and line they were raised at, so every message names both.
int message_handler(lua_State* L) {
    if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TLIGHTUSERDATA) return 1;
    int line = 0;
    for (int level = 1; level < 4 && line == 0; ++level) line = current_line(L, level);
    lua_pushfstring(L, "%s:%d: error object is a %s value", run_of(L)->chunk_name->c_str() + 1, line,
                    luaL_typename(L, 1));
    return 1;
}

void set_string(lua_State* L, const char* key, const std::string& value) {
    lua_pushlstring(L, value.data(), value.size());
    lua_setfield(L, -2, key);
}

void push_list(lua_State* L, const std::vector<std::string>& items) {
    lua_createtable(L, static_cast<int>(items.size()), 0);
    for (std::size_t i = 0; i < items.size(); ++i) {
        lua_pushlstring(L, items[i].data(), items[i].size());
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
}

void open_sandbox(lua_State* L, Run* run) {
    static const luaL_Reg kLibraries[] = {{LUA_GNAME, luaopen_base},
                                          {LUA_TABLIBNAME, luaopen_table},
                                          {LUA_STRLIBNAME, luaopen_string},
                                          {LUA_MATHLIBNAME, luaopen_math},
                                          {LUA_UTF8LIBNAME, luaopen_utf8}};
    for (const auto& lib : kLibraries) {
        luaL_requiref(L, lib.name, lib.func, 1);
        lua_pop(L, 1);
    }
    // Base functions that reach files, compile code at run time, drive the collector or print to
    // stdout. `select` is the policy's entry point, so the builtin of that name goes too.
    for (const char* name : {"dofile", "loadfile", "load", "require", "collectgarbage", "print", "select"}) {
        lua_pushnil(L);
        lua_setglobal(L, name);
    }
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, guarded<lua_safe_setmetatable>, 1);
    lua_setglobal(L, "setmetatable");
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    for (const char* name : {"find", "match", "gmatch", "gsub"}) {
        lua_getfield(L, -1, name);
        lua_pushboolean(L, name[0] == 'f');  // find(s, pattern, init, plain)
        lua_pushcclosure(L, guarded<lua_costed_match>, 2);
        lua_setfield(L, -2, name);
    }  // bytecode out is the first half of loading bytecode back
    lua_pop(L, 1);
    // Strings share one metatable; lock it so a script cannot change what "s:method()" means.
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_pushliteral(L, "the string metatable is locked");
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_pushlightuserdata(L, run);
    lua_pushcclosure(L, guarded<lua_deny>, 1);
    lua_setglobal(L, "deny");
}

void push_ref(lua_State* L, const ScriptInputs& in) {
    lua_createtable(L, 0, 5);
    if (in.qualified) set_string(L, "registry", in.registry);
    set_string(L, "repository", in.repository);
    if (in.has_tag) set_string(L, "tag", in.tag);
    if (in.has_digest) set_string(L, "digest", in.digest);
    lua_pushboolean(L, in.qualified);
    lua_setfield(L, -2, "qualified");
}

void push_ctx(lua_State* L, const ScriptInputs& in) {
    lua_createtable(L, 0, 4);
    push_list(L, in.registries);
    lua_setfield(L, -2, "registries");
    push_list(L, in.insecure_registries);
    lua_setfield(L, -2, "insecure_registries");
    set_string(L, "platform", in.platform);
    set_string(L, "operation", in.operation);
}

// Runs under lua_pcall: every Lua error in here, the script's included, unwinds to that call.
int protected_decision(lua_State* L) {
    Run* run = static_cast<Run*>(lua_touserdata(L, 1));
    open_sandbox(L, run);
    if (luaL_loadbufferx(L, run->script->data(), run->script->size(), run->chunk_name->c_str(), "t") !=
        LUA_OK) {
        run->load_failed = true;
        return 1;  // the syntax error message
    }
    lua_call(L, 0, 0);
    if (lua_getglobal(L, "select") != LUA_TFUNCTION)
        return luaL_error(L, "%s: the script must define a function select(ref, ctx)",
                          run->chunk_name->c_str() + 1);
    push_ref(L, *run->inputs);
    push_ctx(L, *run->inputs);
    lua_call(L, 2, 1);
    return 1;
}

// Lua's message, prefixed with the script's name when Lua left it out (e.g. for binary chunks).
std::string error_text(lua_State* L, const std::string& name) {
    if (lua_type(L, -1) != LUA_TSTRING) return name + ": error without a message";
    std::string text = lua_tostring(L, -1);
    return text.rfind(name, 0) == 0 ? text : name + ": " + text;
}

struct StateCloser {
    void operator()(lua_State* L) const { lua_close(L); }
};

}  // namespace

ScriptInputs make_inputs(const Reference& ref, const PolicyContext& ctx) {
    ScriptInputs in;
    in.registry = ref.registry;
    in.repository = ref.repository;
    in.has_tag = ref.tag.has_value();
    in.tag = ref.tag.value_or("");
    in.has_digest = ref.digest.has_value();
    in.digest = ref.digest.value_or("");
    in.qualified = ref.qualified;
    in.registries = ctx.registries;
    in.insecure_registries = ctx.insecure_registries;
    in.platform = ctx.platform.str();
    in.operation = ctx.operation;
    return in;
}

Decision run_sandboxed(const std::string& script, const std::string& name, const LuaLimits& limits,
                       const Reference& ref, const PolicyContext& ctx, const std::atomic<bool>& abandoned) {
    const ScriptInputs inputs = make_inputs(ref, ctx);
    const std::string chunk_name = "@" + name;
    Run run;
    run.script = &script;
    run.chunk_name = &chunk_name;
    run.inputs = &inputs;
    run.limit = limits.memory_bytes;
    run.budget = limits.instructions;
    run.abandoned = &abandoned;

    std::unique_ptr<lua_State, StateCloser> state(lua_newstate(limited_alloc, &run));
    if (!state) return {Outcome::OutOfMemory, {}, name + ": cannot create a Lua state within the memory cap"};
    lua_State* L = state.get();
    lua_sethook(L, limit_hook, LUA_MASKCOUNT | LUA_MASKCALL, kHookInterval);
    lua_pushcfunction(L, guarded<message_handler>);
    lua_pushcfunction(L, guarded<protected_decision>);
    lua_pushlightuserdata(L, &run);
    int status = lua_pcall(L, 1, 1, 1);
    // The script is done: no more hooks, and room for the host to read the answer.
    lua_sethook(L, nullptr, 0, 0);
    run.limit = run.used + kHostReserve;

    const std::string line = run.line > 0 ? " near line " + std::to_string(run.line) : std::string();
    if (run.out_of_budget)
        return {Outcome::OutOfBudget,
                {},
                name + line + ": instruction budget exhausted (" + std::to_string(limits.instructions) +
                    " instructions per decision): an endless loop or far too much work"};
    if (run.out_of_memory)
        return {Outcome::OutOfMemory,
                {},
                name + line + ": out of memory (the script may use " +
                    std::to_string(limits.memory_bytes >> 10) + " KiB per decision)"};
    if (run.denied) {
        std::string where = run.line > 0 ? " (" + name + ":" + std::to_string(run.line) + ")" : "";
        return {Outcome::Denied, {}, std::string(run.deny_reason) + where};
    }
    if (run.load_failed) return {Outcome::SyntaxError, {}, error_text(L, name)};
    if (status != LUA_OK) return {Outcome::RuntimeError, {}, error_text(L, name)};
    return read_candidates(L, lua_gettop(L), name, limits, ref, ctx);
}

}  // namespace boxtool::lua::detail
