#include "policy_cases.hpp"
#include "terminal_text.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <set>
#include <sstream>
#include <typeinfo>

namespace boxtool::cli {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kMaxCasesBytes = 4 * 1024 * 1024;

struct CasesFile {
    std::filesystem::path path;

    Failure error(const std::string& where, const std::string& why) const {
        return Failure(ErrorKind::Config, "invalid policy cases file " + path.string() + ": " + where + why,
                       "see the README's \"Registry policy (Lua)\" section for the cases format");
    }

    std::string string_field(const Object::Ptr& obj, const std::string& key, const std::string& where) const {
        auto v = obj->get(key);
        if (!v.isString()) throw error(where, "\"" + key + "\" must be a string");
        return v.convert<std::string>();
    }

    bool bool_field(const Object::Ptr& obj, const std::string& key, const std::string& where) const {
        auto v = obj->get(key);
        if (!v.isBoolean()) throw error(where, "\"" + key + "\" must be true or false");
        return v.convert<bool>();
    }

    std::vector<std::string> string_list(const Object::Ptr& obj, const std::string& key,
                                         const std::string& where) const {
        auto arr = obj->getArray(key);
        if (!arr) throw error(where, "\"" + key + "\" must be an array of strings");
        std::vector<std::string> out;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            auto v = arr->get(static_cast<unsigned>(i));
            if (!v.isString())
                throw error(where, "\"" + key + "\"[" + std::to_string(i) + "] must be a string");
            out.push_back(v.convert<std::string>());
        }
        return out;
    }

    Object::Ptr object(const Poco::Dynamic::Var& v, const std::string& where, const std::string& what) const {
        if (v.type() != typeid(Object::Ptr) || !v.extract<Object::Ptr>())
            throw error(where, what + " must be an object");
        return v.extract<Object::Ptr>();
    }

    void check_keys(const Object::Ptr& obj, const std::set<std::string>& known,
                    const std::string& where) const {
        for (const auto& [key, value] : *obj)
            if (!known.count(key)) throw error(where, "unknown key \"" + key + "\"");
    }

    // Fields present in `obj` replace those in `ctx`.
    void read_context(const Object::Ptr& obj, PolicyContext& ctx, const std::string& where) const {
        check_keys(obj, {"registries", "insecure_registries", "platform", "operation"}, where + "context: ");
        if (obj->has("registries")) ctx.registries = string_list(obj, "registries", where + "context: ");
        if (obj->has("insecure_registries"))
            ctx.insecure_registries = string_list(obj, "insecure_registries", where + "context: ");
        if (obj->has("platform")) {
            auto p = parse_platform(string_field(obj, "platform", where + "context: "));
            if (!p) throw error(where + "context: ", p.error().message);
            ctx.platform = *p;
        }
        if (obj->has("operation")) ctx.operation = string_field(obj, "operation", where + "context: ");
    }

    ExpectedCandidate read_expected(const Poco::Dynamic::Var& v, const std::string& where) const {
        ExpectedCandidate e;
        if (v.isString()) {
            e.reference = v.convert<std::string>();
            return e;
        }
        auto obj = object(v, where, "an expected candidate (a string or an object)");
        check_keys(obj, {"reference", "mirror_of", "credentials_from", "digest_only", "insecure", "reason"},
                   where);
        if (!obj->has("reference")) throw error(where, "\"reference\" is missing");
        e.reference = string_field(obj, "reference", where);
        if (obj->has("mirror_of")) e.mirror_of = string_field(obj, "mirror_of", where);
        if (obj->has("credentials_from")) e.credentials_from = string_field(obj, "credentials_from", where);
        if (obj->has("digest_only")) e.digest_only = bool_field(obj, "digest_only", where);
        if (obj->has("insecure")) e.insecure = bool_field(obj, "insecure", where);
        if (obj->has("reason")) e.reason = string_field(obj, "reason", where);
        return e;
    }

    PolicyCase read_case(const Object::Ptr& obj, const PolicyContext& defaults,
                         const std::string& where) const {
        check_keys(obj, {"name", "reference", "context", "expect", "expect_deny", "expect_error"}, where);
        PolicyCase c;
        if (!obj->has("reference")) throw error(where, "\"reference\" is missing");
        c.reference = string_field(obj, "reference", where);
        c.name = obj->has("name") ? string_field(obj, "name", where) : c.reference;
        c.context = defaults;
        if (obj->has("context"))
            read_context(object(obj->get("context"), where, "\"context\""), c.context, where);
        int expectations = 0;
        if (obj->has("expect")) {
            ++expectations;
            auto arr = obj->getArray("expect");
            if (!arr) throw error(where, "\"expect\" must be an array of candidates");
            c.expect.emplace();
            for (std::size_t i = 0; i < arr->size(); ++i)
                c.expect->push_back(read_expected(arr->get(static_cast<unsigned>(i)),
                                                  where + "expect[" + std::to_string(i) + "]: "));
        }
        if (obj->has("expect_deny")) {
            ++expectations;
            auto v = obj->get("expect_deny");
            if (v.isBoolean() && v.convert<bool>())
                c.expect_deny = "";
            else
                c.expect_deny = string_field(obj, "expect_deny", where);
        }
        if (obj->has("expect_error")) {
            ++expectations;
            c.expect_error = string_field(obj, "expect_error", where);
        }
        if (expectations != 1)
            throw error(where, "give exactly one of \"expect\", \"expect_deny\", \"expect_error\"");
        return c;
    }
};

std::string describe(const std::vector<Candidate>& candidates) {
    return explain_candidates(candidates);
}

// Empty when `got` meets `want`, else what differs.
std::string compare(const ExpectedCandidate& want, const Candidate& got) {
    std::string diff;
    auto check = [&](bool ok, const std::string& what) {
        if (!ok) diff += (diff.empty() ? "" : "; ") + what;
    };
    check(got.reference.str() == want.reference,
          "reference is " + got.reference.str() + ", expected " + want.reference);
    if (want.mirror_of)
        check(got.mirror_of == *want.mirror_of,
              "mirror_of is \"" + got.mirror_of + "\", expected \"" + *want.mirror_of + "\"");
    if (want.credentials_from)
        check(got.credentials_from == *want.credentials_from, "credentials_from is \"" +
                                                                  got.credentials_from + "\", expected \"" +
                                                                  *want.credentials_from + "\"");
    if (want.digest_only)
        check(got.digest_only == *want.digest_only,
              std::string("digest_only is ") + (got.digest_only ? "true" : "false"));
    if (want.insecure)
        check(got.insecure == *want.insecure,
              std::string("insecure is ") + (got.insecure ? "true" : "false"));
    if (want.reason)
        check(got.reason.find(*want.reason) != std::string::npos,
              "reason \"" + got.reason + "\" does not contain \"" + *want.reason + "\"");
    return diff;
}

std::string indent(const std::string& text) {
    std::string out = "       ";
    for (char c : text) {
        out += c;
        if (c == '\n') out += "       ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// Empty when the case passes, else the explanation.
std::string check_case(const lua::LuaPolicy& policy, const PolicyCase& c) {
    auto ref = parse_reference(c.reference);
    if (!ref) return "the reference does not parse: " + ref.error().message;
    lua::Decision d = policy.decide(*ref, c.context);
    std::string got_text;
    if (d.outcome == lua::Outcome::Candidates) {
        d.candidates = usable_candidates(*ref, std::move(d.candidates));
        got_text = "got candidates:\n" + describe(d.candidates);
    } else {
        got_text = std::string("got ") + lua::to_string(d.outcome) + ": " + d.message + "\n";
    }
    if (c.expect_deny) {
        if (d.outcome != lua::Outcome::Denied) return "expected a denial, " + got_text;
        if (d.message.find(*c.expect_deny) == std::string::npos)
            return "expected a denial mentioning \"" + *c.expect_deny + "\", " + got_text;
        return {};
    }
    if (c.expect_error) {
        if (lua::to_string(d.outcome) != *c.expect_error)
            return "expected " + *c.expect_error + ", " + got_text;
        return {};
    }
    if (d.outcome != lua::Outcome::Candidates) return "expected candidates, " + got_text;
    const auto& want = *c.expect;
    if (want.size() != d.candidates.size())
        return "expected " + std::to_string(want.size()) + " candidate(s), " + got_text;
    for (std::size_t i = 0; i < want.size(); ++i)
        if (auto diff = compare(want[i], d.candidates[i]); !diff.empty())
            return "candidate " + std::to_string(i + 1) + ": " + diff + "\n" + got_text;
    return {};
}

}  // namespace

std::vector<PolicyCase> load_policy_cases(const std::filesystem::path& path) {
    CasesFile file{path};
    std::ifstream in(path, std::ios::binary);
    if (!in) throw file.error("", "cannot open it (does it exist and is it readable?)");
    std::string text(kMaxCasesBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxCasesBytes) throw file.error("", "larger than 4 MiB");
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parsed = parser.parse(text);
    } catch (const Poco::Exception& e) {
        throw file.error("", "not valid JSON: " + e.message());
    }
    auto top = file.object(parsed, "", "the top level");
    file.check_keys(top, {"context", "cases"}, "");
    PolicyContext defaults;
    defaults.platform = Platform{"linux", "amd64", ""};
    if (top->has("context"))
        file.read_context(file.object(top->get("context"), "", "\"context\""), defaults, "");
    auto cases = top->getArray("cases");
    if (!cases || cases->size() == 0) throw file.error("", "\"cases\" must be a non-empty array");
    std::vector<PolicyCase> out;
    for (std::size_t i = 0; i < cases->size(); ++i) {
        std::string where = "case " + std::to_string(i + 1) + ": ";
        out.push_back(file.read_case(file.object(cases->get(static_cast<unsigned>(i)), where, "a case"),
                                     defaults, where));
    }
    return out;
}

int run_policy_cases(const lua::LuaPolicy& policy, const std::vector<PolicyCase>& cases, std::FILE* out) {
    int failed = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const PolicyCase& c = cases[i];
        std::string why = check_case(policy, c);
        std::string title = c.name == c.reference ? c.reference : c.name + " (" + c.reference + ")";
        if (why.empty()) {
            std::fprintf(out, "PASS %zu %s\n", i + 1, printable(title, false).c_str());
        } else {
            ++failed;
            std::fprintf(out, "FAIL %zu %s\n%s", i + 1, printable(title, false).c_str(),
                         printable(indent(why)).c_str());
        }
    }
    std::fprintf(out, "%zu case(s): %zu passed, %d failed (policy %s)\n", cases.size(),
                 cases.size() - static_cast<std::size_t>(failed), failed,
                 printable(policy.name(), false).c_str());
    return failed;
}

}  // namespace boxtool::cli
