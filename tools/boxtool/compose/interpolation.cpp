#include "compose/interpolation.hpp"

#include <cctype>

namespace boxtool::cli::compose {
namespace {

bool name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// The index of the '}' closing the "${" whose body starts at `from`, skipping nested "${...}" and
// "$$"; npos when it is never closed.
std::size_t closing_brace(std::string_view text, std::size_t from) {
    int depth = 1;
    for (std::size_t i = from; i < text.size(); ++i) {
        if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
            ++i;
        } else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
            ++depth;
            ++i;
        } else if (text[i] == '}' && --depth == 0) {
            return i;
        }
    }
    return std::string_view::npos;
}

std::string braced(std::string_view body, const VariableLookup& lookup, std::vector<std::string>* unset,
                   std::string_view whole) {
    std::size_t n = 0;
    while (n < body.size() && name_char(body[n])) ++n;
    if (n == 0 || !name_start(body[0]))
        throw InterpolationError("invalid interpolation \"" + std::string(whole) + "\": \"${" +
                                 std::string(body) + "}\" does not start with a variable name");
    std::string name(body.substr(0, n));
    std::string_view rest = body.substr(n);
    auto value = lookup(name);
    if (rest.empty()) {
        if (!value && unset) unset->push_back(name);
        return value.value_or("");
    }
    bool colon = rest[0] == ':';
    if (colon) rest.remove_prefix(1);
    if (rest.empty())
        throw InterpolationError("invalid interpolation \"" + std::string(whole) + "\": \"${" +
                                 std::string(body) + "}\" ends after ':' (use :-, :?, or :+)");
    char op = rest[0];
    std::string_view arg = rest.substr(1);
    const bool missing = !value || (colon && value->empty());
    switch (op) {
        case '-':
            return missing ? interpolate(arg, lookup, unset) : *value;
        case '?':
            if (missing) {
                std::string message = interpolate(arg, lookup, unset);
                throw InterpolationError("required variable " + name + " is missing a value" +
                                         (message.empty() ? "" : ": " + message));
            }
            return *value;
        case '+':
            return missing ? std::string() : interpolate(arg, lookup, unset);
        default:
            throw InterpolationError("invalid interpolation \"" + std::string(whole) +
                                     "\": unknown operator '" + std::string(1, op) + "' in \"${" +
                                     std::string(body) + "}\" (use -, :-, ?, :?, + or :+)");
    }
}

}  // namespace

std::string interpolate(std::string_view text, const VariableLookup& lookup,
                        std::vector<std::string>* unset) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '$') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 1 >= text.size())
            throw InterpolationError("invalid interpolation \"" + std::string(text) +
                                     "\": a lone $ at the end (write $$ for a literal $)");
        char next = text[i + 1];
        if (next == '$') {
            out.push_back('$');
            ++i;
        } else if (next == '{') {
            std::size_t close = closing_brace(text, i + 2);
            if (close == std::string_view::npos)
                throw InterpolationError("invalid interpolation \"" + std::string(text) +
                                         "\": \"${\" is never closed");
            out += braced(text.substr(i + 2, close - i - 2), lookup, unset, text);
            i = close;
        } else if (name_start(next)) {
            std::size_t end = i + 1;
            while (end < text.size() && name_char(text[end])) ++end;
            std::string name(text.substr(i + 1, end - i - 1));
            auto value = lookup(name);
            if (!value && unset) unset->push_back(name);
            out += value.value_or("");
            i = end - 1;
        } else {
            throw InterpolationError("invalid interpolation \"" + std::string(text) + "\": \"$" +
                                     std::string(1, next) +
                                     "\" is not a variable (write $$ for a literal $)");
        }
    }
    return out;
}

}  // namespace boxtool::cli::compose
