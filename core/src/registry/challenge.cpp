#include "registry/challenge.hpp"

#include <cctype>

#include "util/text.hpp"

namespace boxtool::registry {
namespace {

bool is_tchar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

struct Cursor {
    std::string_view s;
    std::size_t i = 0;
    bool done() const { return i >= s.size(); }
    char peek() const { return done() ? '\0' : s[i]; }
    void skip_space() {
        while (!done() && (s[i] == ' ' || s[i] == '\t')) ++i;
    }
    void skip_space_and_commas() {
        while (!done() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
    }
    std::string token() {
        std::size_t start = i;
        while (!done() && is_tchar(s[i])) ++i;
        return std::string(s.substr(start, i - start));
    }
    // Servers are not all strict: an unquoted value runs to the next comma or space, so
    // realm=https://auth.example.com/token survives intact.
    std::string bare_value() {
        std::size_t start = i;
        while (!done() && s[i] != ',' && s[i] != ' ' && s[i] != '\t') ++i;
        return std::string(s.substr(start, i - start));
    }
    std::string quoted() {  // at the opening quote
        ++i;
        std::string out;
        while (!done() && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < s.size()) ++i;
            out.push_back(s[i++]);
        }
        if (!done()) ++i;  // closing quote; an unterminated string ends at the end of the header
        return out;
    }
};

}  // namespace

std::vector<Challenge> parse_challenges(std::string_view header) {
    std::vector<Challenge> out;
    Cursor c{header};
    while (true) {
        c.skip_space_and_commas();
        if (c.done()) break;
        std::string scheme = c.token();
        if (scheme.empty()) {
            ++c.i;  // not a token: skip the stray character rather than loop forever
            continue;
        }
        Challenge ch{util::ascii_lower(scheme), {}};
        // Parameters follow until a bare token (the next challenge's scheme) appears.
        while (true) {
            c.skip_space_and_commas();
            if (c.done()) break;
            std::size_t mark = c.i;
            std::string name = c.token();
            if (name.empty()) {
                ++c.i;
                continue;
            }
            c.skip_space();
            if (c.peek() != '=') {
                c.i = mark;
                break;
            }
            ++c.i;
            c.skip_space();
            std::string value = c.peek() == '"' ? c.quoted() : c.bare_value();
            ch.params[util::ascii_lower(name)] = value;
        }
        out.push_back(std::move(ch));
    }
    return out;
}

std::vector<Challenge> parse_challenges(const std::vector<std::string>& headers) {
    std::vector<Challenge> out;
    for (const auto& h : headers) {
        auto part = parse_challenges(h);
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

}  // namespace boxtool::registry
