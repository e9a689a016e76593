#include "challenge_grammar.hpp"

#include <cctype>

namespace boxtool::checks {
namespace {

bool is_tchar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token68_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-._~+/").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

class Reader {
  public:
    explicit Reader(std::string_view s) : s_(s) {}
    bool end() const { return i_ >= s_.size(); }
    char peek() const { return end() ? '\0' : s_[i_]; }
    std::size_t pos() const { return i_; }
    void set(std::size_t p) { i_ = p; }
    void ows() {
        while (!end() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    std::string token() {
        std::size_t start = i_;
        while (!end() && is_tchar(s_[i_])) ++i_;
        return std::string(s_.substr(start, i_ - start));
    }
    // Returns false on an unterminated string or a bad escape.
    bool quoted(std::string& out) {
        ++i_;  // the opening quote
        while (!end()) {
            char c = s_[i_++];
            if (c == '"') return true;
            if (c == '\\') {
                if (end()) return false;
                out += s_[i_++];
            } else if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            } else {
                out += c;
            }
        }
        return false;
    }

  private:
    std::string_view s_;
    std::size_t i_ = 0;
};

std::string at(const Reader& r, const std::string& what) {
    return what + " at offset " + std::to_string(r.pos());
}

}  // namespace

ChallengeParse parse_challenges_strict(std::string_view header) {
    ChallengeParse out;
    Reader r(header);
    r.ows();
    if (r.end()) {
        out.error = "empty challenge";
        return out;
    }
    while (true) {
        r.ows();
        while (r.peek() == ',') {  // empty list elements are allowed
            r.set(r.pos() + 1);
            r.ows();
        }
        if (r.end()) break;
        ParsedChallenge c;
        c.scheme = lower(r.token());
        if (c.scheme.empty()) {
            out.error = at(r, "expected an auth-scheme token");
            return out;
        }
        if (r.end() || r.peek() == ',') {  // a scheme without parameters
            out.challenges.push_back(c);
            continue;
        }
        if (r.peek() != ' ') {
            out.error = at(r, "expected a space after the scheme \"" + c.scheme + "\"");
            return out;
        }
        r.ows();
        // token68 or auth-params: a token68 is followed by "=" padding, then the end or a comma.
        std::size_t mark = r.pos();
        std::string name = r.token();
        std::size_t after_name = r.pos();
        r.ows();
        bool is_param = !name.empty() && r.peek() == '=';
        if (is_param) {
            // "abc==" is a token68 with padding; "abc=value" is a parameter.
            std::size_t p = r.pos();
            while (r.peek() == '=') r.set(r.pos() + 1);
            r.ows();
            bool padding_only = r.pos() - p >= 1 && (r.end() || r.peek() == ',');
            r.set(p);
            if (padding_only && r.pos() == after_name) is_param = false;
        }
        if (!is_param) {
            r.set(mark);
            std::size_t start = r.pos();
            while (!r.end() && is_token68_char(r.peek())) r.set(r.pos() + 1);
            while (r.peek() == '=') r.set(r.pos() + 1);
            if (r.pos() == start) {
                out.error = at(r, "expected auth-params or a token68 after \"" + c.scheme + "\"");
                return out;
            }
            c.token68 = true;
            r.ows();
            if (!r.end() && r.peek() != ',') {
                out.error = at(r, "unexpected character '" + std::string(1, r.peek()) + "' after a token68");
                return out;
            }
            out.challenges.push_back(c);
            continue;
        }
        r.set(mark);
        while (true) {
            std::string key = lower(r.token());
            if (key.empty()) {
                out.error = at(r, "expected a parameter name");
                return out;
            }
            r.ows();
            if (r.peek() != '=') {
                out.error = at(r, "expected '=' after parameter \"" + key + "\"");
                return out;
            }
            r.set(r.pos() + 1);
            r.ows();
            std::string value;
            if (r.peek() == '"') {
                if (!r.quoted(value)) {
                    out.error = at(r, "unterminated or malformed quoted value of \"" + key + "\"");
                    return out;
                }
            } else {
                value = r.token();
                if (value.empty()) {
                    out.error = at(r, "parameter \"" + key + "\" has no value (a token or a quoted string)");
                    return out;
                }
            }
            if (c.params.count(key)) {
                out.error = "parameter \"" + key + "\" appears twice in one challenge";
                return out;
            }
            c.params[key] = value;
            r.ows();
            if (r.end()) break;
            if (r.peek() != ',') {
                out.error = at(r, "expected ',' or the end after parameter \"" + key + "\", found '" +
                                      std::string(1, r.peek()) + "'");
                return out;
            }
            // After a comma: another parameter (token "="), or the next challenge.
            std::size_t comma = r.pos();
            r.set(comma + 1);
            r.ows();
            while (r.peek() == ',') {
                r.set(r.pos() + 1);
                r.ows();
            }
            std::size_t next = r.pos();
            std::string look = r.token();
            r.ows();
            bool another_param = !look.empty() && r.peek() == '=';
            r.set(next);
            if (!another_param) break;
        }
        out.challenges.push_back(c);
    }
    if (out.challenges.empty()) out.error = "no challenge in the header";
    return out;
}

std::string bearer_problem(const ParsedChallenge& c) {
    if (c.scheme != "bearer") return {};
    auto it = c.params.find("realm");
    if (it == c.params.end() || it->second.empty()) return "the Bearer challenge names no realm";
    if (it->second.rfind("https://", 0) != 0 && it->second.rfind("http://", 0) != 0)
        return "the Bearer realm \"" + it->second + "\" is not an absolute http(s) URL";
    return {};
}

}  // namespace boxtool::checks
