#include "candidate_reader.hpp"

#include <string_view>

namespace boxtool::lua::detail {
namespace {

constexpr std::size_t kMaxHostLength = 255;
constexpr std::size_t kMaxRepositoryLength = 255;
constexpr std::size_t kMaxReasonLength = 1000;

// Thrown inside this file only, caught in read_candidates: carries the field that is wrong.
struct Malformed {
    std::string what;
};

const char* type_name(lua_State* L, int index) {
    return lua_typename(L, lua_type(L, index));
}

std::string_view string_at(lua_State* L, int index) {
    std::size_t n = 0;
    const char* s = lua_tolstring(L, index, &n);  // only called on LUA_TSTRING: no conversion, no allocation
    return {s, n};
}

std::string quote_text(std::string_view text) {
    std::string out = "\"";
    for (char c : text.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out + (text.size() > 80 ? "...\"" : "\"");
}

std::string need_string(lua_State* L, int index, const std::string& field, std::size_t max) {
    if (lua_type(L, index) != LUA_TSTRING)
        throw Malformed{field + " must be a string, got " + type_name(L, index)};
    auto s = string_at(L, index);
    if (s.size() > max) throw Malformed{field + " is longer than " + std::to_string(max) + " characters"};
    return std::string(s);
}

bool need_boolean(lua_State* L, int index, const std::string& field) {
    if (lua_type(L, index) != LUA_TBOOLEAN)
        throw Malformed{field + " must be a boolean, got " + type_name(L, index)};
    return lua_toboolean(L, index) != 0;
}

// A registry host as the reference grammar accepts it: "HOST/x" parses with HOST as its registry.
std::string need_registry(lua_State* L, int index, const std::string& field) {
    std::string host = need_string(L, index, field, kMaxHostLength);
    auto probe = parse_reference(host + "/x");
    if (host.empty() || host.find_first_of("/@") != std::string::npos || !probe || !probe->qualified)
        throw Malformed{
            field + " " + quote_text(host) +
            " is not a registry host (HOST or HOST:PORT; a host needs a dot, a port or to be localhost)"};
    return probe->registry;
}

// A repository path as the reference grammar accepts it, without tag or digest.
std::string need_repository(lua_State* L, int index, const std::string& field) {
    std::string repo = need_string(L, index, field, kMaxRepositoryLength);
    auto probe = parse_reference("registry.invalid/" + repo);
    if (repo.empty() || repo.find_first_of(":@") != std::string::npos || !probe || probe->repository != repo)
        throw Malformed{
            field + " " + quote_text(repo) +
            " is not a repository path (lower-case components separated by '/', no tag or digest)"};
    return repo;
}

struct Fields {
    std::string registry;
    std::string repository;
    std::string reason;
    std::string mirror_of;
    std::string credentials_from;
    bool insecure = false;
    bool digest_only = false;
};

Fields read_table(lua_State* L, int index, const std::string& at) {
    Fields f;
    bool has_registry = false;
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING)
            throw Malformed{at + " has a " + std::string(type_name(L, -2)) +
                            " key; a candidate table has only named fields"};
        auto key = string_at(L, -2);
        std::string field = at + "." + std::string(key.substr(0, 40));
        if (key == "registry") {
            f.registry = need_registry(L, -1, field);
            has_registry = true;
        } else if (key == "repository") {
            f.repository = need_repository(L, -1, field);
        } else if (key == "reason") {
            f.reason = need_string(L, -1, field, kMaxReasonLength);
        } else if (key == "mirror_of") {
            f.mirror_of = need_registry(L, -1, field);
        } else if (key == "credentials_from") {
            f.credentials_from = need_registry(L, -1, field);
        } else if (key == "insecure") {
            f.insecure = need_boolean(L, -1, field);
        } else if (key == "digest_only") {
            f.digest_only = need_boolean(L, -1, field);
        } else {
            throw Malformed{
                at + " has an unknown field " + quote_text(key) +
                " (known: registry, repository, insecure, mirror_of, credentials_from, digest_only, "
                "reason)"};
        }
        lua_pop(L, 1);
    }
    if (!has_registry) throw Malformed{at + ".registry is missing"};
    if (!f.credentials_from.empty() && f.credentials_from != f.mirror_of)
        throw Malformed{at + ".credentials_from must name the registry in " + at +
                        ".mirror_of: only a mirror may receive its upstream's credentials"};
    return f;
}

Candidate make_candidate(const Fields& f, const std::string& name, const Reference& ref,
                         const PolicyContext& ctx) {
    Candidate c;
    c.reference = ref.on(f.registry);
    // A mirror serves the upstream's paths: a Docker Hub mirror keeps "library/" for official images.
    if (!f.mirror_of.empty()) c.reference.repository = ref.on(f.mirror_of).repository;
    if (!f.repository.empty()) {
        c.reference.repository = f.repository;
        if (c.reference.registry == kDockerHub && f.repository.find('/') == std::string::npos)
            c.reference.repository = "library/" + f.repository;
    }
    c.reason = f.reason.empty() ? "chosen by policy " + name : f.reason;
    c.insecure = f.insecure || is_insecure_registry(c.reference.registry, ctx.insecure_registries);
    c.mirror_of = f.mirror_of;
    c.credentials_from = f.credentials_from;
    c.digest_only = f.digest_only;
    return c;
}

}  // namespace

Decision read_candidates(lua_State* L, int index, const std::string& name, const LuaLimits& limits,
                         const Reference& ref, const PolicyContext& ctx) {
    Decision d;
    try {
        if (!lua_checkstack(L, 8)) throw Malformed{"no stack room to read the answer"};
        if (lua_type(L, index) != LUA_TTABLE)
            throw Malformed{std::string("select must return a list of candidates, got ") +
                            type_name(L, index)};
        lua_Unsigned n = lua_rawlen(L, index);
        // Named keys beside the list are a mistake worth naming: often a single candidate not in a list.
        lua_pushnil(L);
        while (lua_next(L, index) != 0) {
            bool in_list = lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1 &&
                           static_cast<lua_Unsigned>(lua_tointeger(L, -2)) <= n;
            if (!in_list) {
                std::string key =
                    lua_type(L, -2) == LUA_TSTRING ? quote_text(string_at(L, -2)) : type_name(L, -2);
                throw Malformed{"the returned list has a key " + key + " besides 1.." + std::to_string(n) +
                                "; return a list such as { {registry = ...} }"};
            }
            lua_pop(L, 1);
        }
        if (n == 0)
            throw Malformed{
                "select returned an empty list; return at least one candidate, or call deny(reason)"};
        if (n > limits.max_candidates)
            throw Malformed{"select returned " + std::to_string(n) + " candidates; at most " +
                            std::to_string(limits.max_candidates) + " are allowed"};
        for (lua_Unsigned i = 1; i <= n; ++i) {
            std::string at = "candidate " + std::to_string(i);
            lua_rawgeti(L, index, static_cast<lua_Integer>(i));
            Fields f;
            if (lua_type(L, -1) == LUA_TSTRING)
                f.registry = need_registry(L, -1, at);
            else if (lua_type(L, -1) == LUA_TTABLE)
                f = read_table(L, lua_gettop(L), at);
            else
                throw Malformed{at + " must be a registry string or a table, got " + type_name(L, -1)};
            lua_pop(L, 1);
            d.candidates.push_back(make_candidate(f, name, ref, ctx));
        }
        d.outcome = Outcome::Candidates;
    } catch (const Malformed& m) {
        d.outcome = Outcome::InvalidResult;
        d.candidates.clear();
        d.message = name + ": malformed answer from select: " + m.what;
    }
    return d;
}

}  // namespace boxtool::lua::detail
