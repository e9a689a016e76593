#include "terminal_text.hpp"

#include <cstdio>

namespace boxtool::cli {
namespace {

void escape_byte(std::string& out, unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
}

// Length of the UTF-8 sequence starting at text[i] and its code point, or 0 when it is not valid
// (overlong, surrogate, beyond U+10FFFF, truncated).
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t& cp) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    if (len == 0 || c >= 0xf5 || i + len > text.size()) return 0;
    cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

bool is_bidi_control(char32_t cp) {
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
           cp == 0x061c;
}

}  // namespace

std::string printable(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            bool allowed = c >= 0x20 ? c != 0x7f : c == '\t' || (c == '\n' && keep_newlines);
            if (allowed)
                out.push_back(static_cast<char>(c));
            else
                escape_byte(out, c);
            ++i;
            continue;
        }
        char32_t cp = 0;
        std::size_t len = utf8_sequence(text, i, cp);
        if (len == 0) {
            escape_byte(out, c);
            ++i;
            continue;
        }
        if ((cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp)) {
            char buf[12];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(text.substr(i, len));
        }
        i += len;
    }
    return out;
}

std::string json_printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    auto u_escape = [&](unsigned cp) {
        char buf[12];
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
        out += buf;
    };
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            // Raw control bytes only appear between tokens as whitespace (\n, \t, \r) in valid
            // JSON; anything else would be inside a string, where it must be escaped anyway.
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                u_escape(c);
            else
                out.push_back(static_cast<char>(c));
            ++i;
            continue;
        }
        char32_t cp = 0;
        std::size_t len = utf8_sequence(text, i, cp);
        if (len == 0) {
            out += "\xef\xbf\xbd";  // U+FFFD
            ++i;
            continue;
        }
        if ((cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp))
            u_escape(static_cast<unsigned>(cp));
        else
            out.append(text.substr(i, len));
        i += len;
    }
    return out;
}

}  // namespace boxtool::cli
