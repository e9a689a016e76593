#include "redact.hpp"

#include <cctype>

namespace boxtool::plugins {
namespace {
bool token_char(unsigned char c) {
    return std::isalnum(c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-' || c == '.' ||
           c == ':';
}
bool looks_secret(std::string_view word) {
    if (word.size() < 12) return false;
    bool alpha = false, digit = false;
    for (unsigned char c : word) {
        alpha |= std::isalpha(c) != 0;
        digit |= std::isdigit(c) != 0;
    }
    return alpha && digit;
}
}  // namespace

std::string redact_for_display(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    auto eol = text.find_first_of("\r\n");
    if (eol != std::string_view::npos) text = text.substr(0, eol);
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!token_char(static_cast<unsigned char>(text[i]))) {
            unsigned char c = static_cast<unsigned char>(text[i]);
            out.push_back(std::isprint(c) ? static_cast<char>(c) : '?');
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && token_char(static_cast<unsigned char>(text[j]))) ++j;
        auto word = text.substr(i, j - i);
        out += looks_secret(word) ? std::string("<redacted>") : std::string(word);
        i = j;
    }
    if (out.size() > 200) out = out.substr(0, 200) + "...";
    return out;
}

}  // namespace boxtool::plugins
