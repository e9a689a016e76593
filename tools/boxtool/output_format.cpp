#include "output_format.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

#include "args.hpp"

namespace boxtool::cli {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

bool iequal(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

Object::Ptr as_object(const Var& v) {
    if (v.type() == typeid(Object::Ptr)) return v.extract<Object::Ptr>();
    return nullptr;
}
Array::Ptr as_array(const Var& v) {
    if (v.type() == typeid(Array::Ptr)) return v.extract<Array::Ptr>();
    return nullptr;
}

std::string json_of(const Var& v) {
    if (auto o = as_object(v)) {
        std::ostringstream s;
        o->stringify(s);
        return s.str();
    }
    if (auto a = as_array(v)) {
        std::ostringstream s;
        a->stringify(s);
        return s.str();
    }
    if (v.isEmpty()) return "null";
    if (v.isString()) {
        Array tmp;
        tmp.add(v);
        std::ostringstream s;
        tmp.stringify(s);
        std::string t = s.str();
        return t.substr(1, t.size() - 2);
    }
    return v.convert<std::string>();
}

// Go's fmt for template output: strings as they are, lists as [a b], maps as map[k:v].
std::string text_of(const Var& v) {
    if (auto o = as_object(v)) {
        std::vector<std::string> keys;
        for (const auto& [k, _] : *o) keys.push_back(k);
        std::sort(keys.begin(), keys.end());
        std::string out = "map[";
        for (std::size_t i = 0; i < keys.size(); ++i)
            out += (i ? " " : "") + keys[i] + ":" + text_of(o->get(keys[i]));
        return out + "]";
    }
    if (auto a = as_array(v)) {
        std::string out = "[";
        for (std::size_t i = 0; i < a->size(); ++i)
            out += (i ? " " : "") + text_of(a->get(static_cast<unsigned>(i)));
        return out + "]";
    }
    if (v.isEmpty()) return "<no value>";
    return v.convert<std::string>();
}

Var field(const Var& from, const std::string& name, bool top) {
    if (auto o = as_object(from)) {
        for (const auto& [k, value] : *o)
            if (iequal(k, name)) return value;
        if (top && o->has("config"))
            if (auto c = as_object(o->get("config")))
                for (const auto& [k, value] : *c)
                    if (iequal(k, name)) return value;
    }
    throw UsageError("--format: no field \"" + name + "\"");
}

// ".A.B" (or "." for the current value) against `dot`; at the top, "config" is searched too.
Var path(const std::string& expr, const Var& dot, bool dot_is_root) {
    if (expr == ".") return dot;
    if (expr.empty() || expr[0] != '.')
        throw UsageError("--format: expected a field like .Digest, got \"" + expr + "\"");
    Var cur = dot;
    bool top = dot_is_root;
    std::size_t start = 1;
    while (start <= expr.size()) {
        auto end = expr.find('.', start);
        if (end == std::string::npos) end = expr.size();
        cur = field(cur, expr.substr(start, end - start), top);
        top = false;
        start = end + 1;
    }
    return cur;
}

std::vector<std::string> words(const std::string& action) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < action.size()) {
        while (i < action.size() && std::isspace(static_cast<unsigned char>(action[i]))) ++i;
        if (i >= action.size()) break;
        if (action[i] == '"') {
            auto close = action.find('"', i + 1);
            if (close == std::string::npos)
                throw UsageError("--format: unterminated string in {{" + action + "}}");
            out.push_back(action.substr(i, close - i + 1));
            i = close + 1;
        } else {
            auto end = i;
            while (end < action.size() && !std::isspace(static_cast<unsigned char>(action[end]))) ++end;
            out.push_back(action.substr(i, end - i));
            i = end;
        }
    }
    return out;
}

std::string unquote(const std::string& w) {
    if (w.size() >= 2 && w.front() == '"' && w.back() == '"') return w.substr(1, w.size() - 2);
    return w;
}

struct Renderer {
    const Var& root;

    Var value(const std::vector<std::string>& w, const Var& dot, bool dot_is_root) {
        if (w.empty()) throw UsageError("--format: empty action {{}}");
        if (w[0] == "index") {
            if (w.size() != 3)
                throw UsageError("--format: index takes a field and a key: {{index .Labels \"k\"}}");
            Var container = path(w[1], dot, dot_is_root);
            std::string key = unquote(w[2]);
            if (auto o = as_object(container)) {
                if (!o->has(key)) return Var();
                return o->get(key);
            }
            if (auto a = as_array(container)) {
                std::size_t n = std::stoul(key);
                if (n >= a->size()) throw UsageError("--format: index " + key + " is out of range");
                return a->get(static_cast<unsigned>(n));
            }
            throw UsageError("--format: index needs a map or a list");
        }
        if (w.size() != 1) throw UsageError("--format: cannot understand {{" + w[0] + " ...}}");
        return path(w[0], dot, dot_is_root);
    }

    std::string action(const std::string& text, const Var& dot, bool dot_is_root) {
        auto w = words(text);
        if (w.empty()) throw UsageError("--format: empty action {{}}");
        if (w[0] == "json") return json_of(value({w.begin() + 1, w.end()}, dot, dot_is_root));
        if (w[0] == "join") {
            if (w.size() != 3)
                throw UsageError("--format: join takes a list and a separator: {{join .Tags \",\"}}");
            auto list = as_array(path(w[1], dot, dot_is_root));
            if (!list) throw UsageError("--format: join needs a list");
            std::string sep = unquote(w[2]), out;
            for (std::size_t i = 0; i < list->size(); ++i)
                out += (i ? sep : "") + text_of(list->get(static_cast<unsigned>(i)));
            return out;
        }
        return text_of(value(w, dot, dot_is_root));
    }

    // Renders template text from `pos` until {{end}} (when `in_range`) or the end.
    std::string run(const std::string& t, std::size_t& pos, const Var& dot, bool dot_is_root, bool in_range) {
        std::string out;
        while (pos < t.size()) {
            auto open = t.find("{{", pos);
            if (open == std::string::npos) {
                out += unescape(t.substr(pos));
                pos = t.size();
                break;
            }
            out += unescape(t.substr(pos, open - pos));
            auto close = t.find("}}", open);
            if (close == std::string::npos) throw UsageError("--format: {{ without }}");
            std::string inner = t.substr(open + 2, close - open - 2);
            pos = close + 2;
            auto w = words(inner);
            if (!w.empty() && w[0] == "end") {
                if (!in_range) throw UsageError("--format: {{end}} without {{range}}");
                return out;
            }
            if (!w.empty() && w[0] == "range") {
                if (w.size() != 2) throw UsageError("--format: range takes one field: {{range .Tags}}");
                Var over = path(w[1], dot, dot_is_root);
                std::size_t body = pos;
                auto each = [&](const Var& item) {
                    std::size_t p = body;
                    out += run(t, p, item, false, true);
                    pos = p;
                };
                // An empty list still has to move past its {{end}}.
                pos = body;
                skip(t, pos);
                if (auto a = as_array(over)) {
                    for (std::size_t i = 0; i < a->size(); ++i) each(a->get(static_cast<unsigned>(i)));
                } else if (auto o = as_object(over)) {
                    for (const auto& [k, v] : *o) each(v);
                } else {
                    throw UsageError("--format: range needs a list or a map");
                }
                continue;
            }
            out += action(inner, dot, dot_is_root);
        }
        if (in_range) throw UsageError("--format: {{range}} without {{end}}");
        return out;
    }

    // Moves past the matching {{end}} without rendering (an empty range).
    static void skip(const std::string& t, std::size_t& pos) {
        int depth = 1;
        while (pos < t.size()) {
            auto open = t.find("{{", pos);
            if (open == std::string::npos) break;
            auto close = t.find("}}", open);
            if (close == std::string::npos) break;
            auto w = words(t.substr(open + 2, close - open - 2));
            pos = close + 2;
            if (!w.empty() && w[0] == "range") ++depth;
            if (!w.empty() && w[0] == "end" && --depth == 0) return;
        }
        throw UsageError("--format: {{range}} without {{end}}");
    }

    // "\n" and "\t" written in a shell argument mean a newline and a tab, as with docker --format.
    static std::string unescape(const std::string& s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'n' || s[i + 1] == 't')) {
                out += s[i + 1] == 'n' ? '\n' : '\t';
                ++i;
            } else {
                out += s[i];
            }
        }
        return out;
    }
};

std::string pointer(const std::string& ptr, const Var& root) {
    Var cur = root;
    std::size_t start = 1;
    while (start <= ptr.size()) {
        auto end = ptr.find('/', start);
        if (end == std::string::npos) end = ptr.size();
        std::string token = ptr.substr(start, end - start);
        for (std::size_t at; (at = token.find("~1")) != std::string::npos;) token.replace(at, 2, "/");
        for (std::size_t at; (at = token.find("~0")) != std::string::npos;) token.replace(at, 2, "~");
        if (auto o = as_object(cur)) {
            if (!o->has(token)) throw UsageError("--format " + ptr + ": no member \"" + token + "\"");
            cur = o->get(token);
        } else if (auto a = as_array(cur)) {
            std::size_t n = 0;
            try {
                std::size_t used = 0;
                n = std::stoul(token, &used);
                if (used != token.size()) throw std::invalid_argument("index");
            } catch (const std::exception&) {
                throw UsageError("--format " + ptr + ": \"" + token + "\" is not a list index");
            }
            if (n >= a->size()) throw UsageError("--format " + ptr + ": index " + token + " is out of range");
            cur = a->get(static_cast<unsigned>(n));
        } else {
            throw UsageError("--format " + ptr + ": \"" + token + "\" goes past a value");
        }
        start = end + 1;
    }
    return cur.isString() ? cur.convert<std::string>() : json_of(cur);
}

}  // namespace

std::string render_format(const std::string& format, const std::string& document) {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    Var root = parser.parse(document);
    if (format.empty()) throw UsageError("--format needs a template or a JSON pointer");
    if (format == "json") return json_of(root);
    if (format[0] == '/') return pointer(format, root);
    Renderer r{root};
    std::size_t pos = 0;
    return r.run(format, pos, root, true, false);
}

}  // namespace boxtool::cli
