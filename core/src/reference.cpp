#include "boxtool/reference.hpp"

#include <algorithm>
#include <cctype>

#include "boxtool/digest.hpp"
#include "grammar.hpp"

namespace boxtool {
namespace {

constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMaxTagLength = 128;

Failure invalid(std::string_view text, const std::string& why) {
    return Failure(ErrorKind::InvalidReference,
                   "invalid image reference \"" + std::string(text) + "\": " + why,
                   "references look like [REGISTRY[:PORT]/]REPOSITORY[:TAG][@sha256:DIGEST], "
                   "e.g. docker.io/library/alpine:3.19");
}

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
std::string check_path_component(std::string_view c) {
    if (c.empty()) return "empty path component";
    for (char ch : c)
        if (ch >= 'A' && ch <= 'Z') return "repository name must be lowercase";
    if (!is_lower_alnum(c.front()) || !is_lower_alnum(c.back()))
        return "path component \"" + std::string(c) + "\" must start and end with a letter or digit";
    for (std::size_t i = 0; i < c.size();) {
        if (is_lower_alnum(c[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < c.size() && !is_lower_alnum(c[j])) ++j;
        std::string_view sep = c.substr(i, j - i);
        bool ok = sep == "." || sep == "_" || sep == "__" ||
                  std::all_of(sep.begin(), sep.end(), [](char s) { return s == '-'; });
        if (!ok)
            return "invalid separator \"" + std::string(sep) + "\" in path component \"" + std::string(c) +
                   "\"";
        i = j;
    }
    return {};
}

std::string check_domain(std::string_view d) {
    if (d.empty()) return "empty registry host";
    std::string_view host = d;
    std::string_view port;
    bool has_port = false;
    if (d.front() == '[') {
        auto close = d.find(']');
        if (close == std::string_view::npos) return "unterminated IPv6 address in registry host";
        host = d.substr(1, close - 1);
        std::string_view rest = d.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return "unexpected text after IPv6 address";
            port = rest.substr(1);
            has_port = true;
        }
        if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
            }))
            return "invalid IPv6 address in registry host";
    } else {
        auto colon = d.find(':');
        if (colon != std::string_view::npos) {
            host = d.substr(0, colon);
            port = d.substr(colon + 1);
            has_port = true;
        }
        std::size_t start = 0;
        while (true) {
            auto dot = host.find('.', start);
            std::string_view comp =
                host.substr(start, dot == std::string_view::npos ? host.npos : dot - start);
            if (comp.empty()) return "empty label in registry host \"" + std::string(d) + "\"";
            if (!is_alnum(comp.front()) || !is_alnum(comp.back()) ||
                !std::all_of(comp.begin(), comp.end(), [](char c) { return is_alnum(c) || c == '-'; }))
                return "invalid registry host \"" + std::string(d) + "\"";
            if (dot == std::string_view::npos) break;
            start = dot + 1;
        }
    }
    if (has_port) {
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return "invalid port \"" + std::string(port) + "\" in registry host";
        int p = std::stoi(std::string(port));
        if (p < 1 || p > 65535) return "port " + std::string(port) + " out of range";
    }
    return {};
}

std::string check_tag(std::string_view t) {
    if (t.empty()) return "empty tag";
    if (t.size() > kMaxTagLength) return "tag longer than 128 characters";
    auto word = [](char c) { return is_alnum(c) || c == '_'; };
    if (!word(t.front())) return "tag must start with a letter, digit or underscore";
    for (char c : t)
        if (!word(c) && c != '.' && c != '-') return "invalid character '" + std::string(1, c) + "' in tag";
    return {};
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

bool looks_like_registry(std::string_view c) {
    if (c == "localhost") return true;
    if (c.find_first_of(".:") != std::string_view::npos) return true;
    // Docker treats an upper-case first component as a host too: repositories cannot contain one.
    return std::any_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

std::string normalize_registry(std::string_view host) {
    std::string h = to_lower(host);
    while (!h.empty() && h.back() == '/') h.pop_back();
    if (h == "docker.io" || h == "index.docker.io" || h == "registry-1.docker.io")
        return std::string(kDockerHub);
    return h;
}

std::string registry_endpoint(std::string_view registry) {
    std::string r = normalize_registry(registry);
    return r == kDockerHub ? std::string(kDockerHubEndpoint) : r;
}

Result<Reference> parse_reference(std::string_view text) {
    try {
        if (text.empty()) throw invalid(text, "empty reference");
        for (char c : text)
            if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
                throw invalid(text, "contains whitespace or control characters");

        Reference ref;
        std::string_view rest = text;
        if (auto at = rest.find('@'); at != std::string_view::npos) {
            std::string_view digest = rest.substr(at + 1);
            if (!is_valid_digest(digest)) {
                auto d = parse_digest(digest);
                throw invalid(text, d ? "invalid digest" : d.error().message);
            }
            ref.digest = std::string(digest);
            rest = rest.substr(0, at);
        }
        // The tag follows the last ':' that comes after the last '/', so a registry port is not a tag.
        auto slash = rest.rfind('/');
        auto colon = rest.rfind(':');
        if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
            std::string_view tag = rest.substr(colon + 1);
            if (auto why = check_tag(tag); !why.empty()) throw invalid(text, why);
            ref.tag = std::string(tag);
            rest = rest.substr(0, colon);
        }
        if (rest.empty()) throw invalid(text, "missing repository name");
        if (rest.size() > kMaxNameLength) throw invalid(text, "name longer than 255 characters");

        std::string_view path = rest;
        auto first_slash = rest.find('/');
        if (first_slash != std::string_view::npos && looks_like_registry(rest.substr(0, first_slash))) {
            std::string_view domain = rest.substr(0, first_slash);
            if (auto why = check_domain(domain); !why.empty()) throw invalid(text, why);
            // Keep the host as typed (hosts are case-insensitive, but "Foo/bar" must print back as a
            // host); only Docker Hub's aliases are folded into one name.
            ref.registry =
                normalize_registry(domain) == kDockerHub ? std::string(kDockerHub) : std::string(domain);
            ref.qualified = true;
            path = rest.substr(first_slash + 1);
        }
        if (path.empty()) throw invalid(text, "missing repository name");
        std::size_t start = 0;
        while (true) {
            auto next = path.find('/', start);
            auto comp = path.substr(start, next == std::string_view::npos ? path.npos : next - start);
            if (auto why = check_path_component(comp); !why.empty()) throw invalid(text, why);
            if (next == std::string_view::npos) break;
            start = next + 1;
        }
        ref.repository = std::string(path);
        // Docker refuses a bare 64-hex name: it would be mistaken for an image ID.
        if (text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
                return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            }))
            throw invalid(text, "cannot use a 64-character hexadecimal string as a repository name");
        if (ref.registry == kDockerHub && ref.repository.find('/') == std::string::npos)
            ref.repository = "library/" + ref.repository;
        // The limit applies to the normalized name, "library/" included, as in docker.
        if (ref.name().size() > kMaxNameLength) throw invalid(text, "name longer than 255 characters");
        if (!ref.tag && !ref.digest) ref.tag = "latest";
        return ref;
    } catch (const Failure& f) {
        return f.error();
    }
}

std::string Reference::version() const {
    if (digest) return *digest;
    return tag ? *tag : "latest";
}

std::string Reference::name() const {
    return registry.empty() ? repository : registry + "/" + repository;
}

std::string Reference::str() const {
    std::string out = name();
    if (tag) out += ":" + *tag;
    if (digest) out += "@" + *digest;
    return out;
}

Reference Reference::on(std::string_view reg) const {
    Reference out = *this;
    out.registry = normalize_registry(reg);
    if (out.registry == kDockerHub && out.repository.find('/') == std::string::npos)
        out.repository = "library/" + out.repository;
    return out;
}

}  // namespace boxtool
