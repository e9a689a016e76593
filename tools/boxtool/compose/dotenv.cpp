#include "compose/dotenv.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "boxtool/error.hpp"

namespace boxtool::cli::compose {
namespace {

constexpr std::size_t kMaxDotenvBytes = 1024 * 1024;

Failure dotenv_error(const std::filesystem::path& file, int line, const std::string& why) {
    return Failure(ErrorKind::Config, file.string() + ":" + std::to_string(line) + ": " + why,
                   "fix the .env file (KEY=VALUE lines) or move it away");
}

bool key_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

}  // namespace

std::optional<std::string> process_environment(const std::string& name) {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
}

VariableLookup environment_then(const Variables& dotenv) {
    return [&dotenv](const std::string& name) -> std::optional<std::string> {
        if (auto v = process_environment(name)) return v;
        if (auto it = dotenv.find(name); it != dotenv.end()) return it->second;
        return std::nullopt;
    };
}

Variables parse_dotenv(const std::string& text, const std::filesystem::path& file,
                       const VariableLookup& environment) {
    Variables out;
    VariableLookup lookup = [&](const std::string& name) -> std::optional<std::string> {
        if (auto v = environment(name)) return v;
        if (auto it = out.find(name); it != out.end()) return it->second;
        return std::nullopt;
    };
    std::size_t pos = 0;
    int line = 0;
    while (pos < text.size()) {
        ++line;
        const int first_line = line;
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        std::string current = trim(std::string_view(text).substr(pos, eol - pos));
        pos = eol + 1;
        if (current.empty() || current[0] == '#') continue;
        if (current.rfind("export ", 0) == 0) current = trim(current.substr(7));
        std::size_t k = 0;
        while (k < current.size() && key_char(current[k])) ++k;
        if (k == 0 || !key_start(current[0]))
            throw dotenv_error(file, first_line,
                               "expected KEY=VALUE, found \"" + current.substr(0, 40) + "\"");
        std::string key = current.substr(0, k);
        std::string rest = trim(std::string_view(current).substr(k));
        if (rest.empty()) continue;  // "KEY" alone: Compose takes it from the environment, as we do anyway
        if (rest[0] != '=') throw dotenv_error(file, first_line, "expected '=' after " + key);
        std::string value = trim(std::string_view(rest).substr(1));
        try {
            if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
                const char quote = value[0];
                // The value may continue over the following lines until its closing quote.
                std::string raw = value.substr(1);
                std::size_t close;
                auto find_close = [&] {
                    for (std::size_t i = 0; i < raw.size(); ++i) {
                        if (quote == '"' && raw[i] == '\\') {
                            ++i;
                            continue;
                        }
                        if (raw[i] == quote) return i;
                    }
                    return std::string::npos;
                };
                while ((close = find_close()) == std::string::npos) {
                    if (pos >= text.size())
                        throw dotenv_error(file, first_line, key + ": the quoted value is never closed");
                    ++line;
                    std::size_t next = text.find('\n', pos);
                    if (next == std::string::npos) next = text.size();
                    raw += "\n" + text.substr(pos, next - pos);
                    pos = next + 1;
                }
                std::string after = trim(std::string_view(raw).substr(close + 1));
                if (!after.empty() && after[0] != '#')
                    throw dotenv_error(file, line, key + ": unexpected text after the closing quote");
                raw.resize(close);
                if (quote == '\'') {
                    value = raw;
                } else {
                    std::string unescaped;
                    for (std::size_t i = 0; i < raw.size(); ++i) {
                        if (raw[i] != '\\' || i + 1 >= raw.size()) {
                            unescaped.push_back(raw[i]);
                            continue;
                        }
                        char c = raw[++i];
                        unescaped += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
                    }
                    value = interpolate(unescaped, lookup);
                }
            } else {
                if (auto hash = value.find(" #"); hash != std::string::npos)
                    value = trim(value.substr(0, hash));
                value = interpolate(value, lookup);
            }
        } catch (const InterpolationError& e) {
            throw dotenv_error(file, first_line, key + ": " + e.what());
        }
        out[key] = value;
    }
    return out;
}

std::optional<Variables> read_dotenv(const std::filesystem::path& file, const VariableLookup& environment) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!std::filesystem::exists(file, ec)) return std::nullopt;
        throw Failure(ErrorKind::Config, "cannot read " + file.string(), "check the file's permissions");
    }
    std::string text(kMaxDotenvBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxDotenvBytes)
        throw Failure(ErrorKind::Config, file.string() + " is larger than 1 MiB");
    return parse_dotenv(text, file, environment);
}

}  // namespace boxtool::cli::compose
