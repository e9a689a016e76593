#include "trust/docker_name.hpp"

#include <cctype>

namespace boxtool::trust {
namespace {

// One host label of the distribution grammar: alphanumerics, inner hyphens.
bool valid_label(std::string_view s) {
    if (s.empty()) return false;
    if (!std::isalnum(static_cast<unsigned char>(s.front())) ||
        !std::isalnum(static_cast<unsigned char>(s.back())))
        return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    return true;
}

// host[:port] as the grammar's domain: dot-separated labels, an optional numeric port.
bool valid_domain(std::string_view s) {
    auto colon = s.rfind(':');
    if (colon != std::string_view::npos) {
        std::string_view port = s.substr(colon + 1);
        if (port.empty()) return false;
        for (char c : port)
            if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        s = s.substr(0, colon);
    }
    if (s.empty()) return false;
    std::size_t start = 0;
    while (true) {
        auto dot = s.find('.', start);
        if (!valid_label(s.substr(start, dot == std::string_view::npos ? s.npos : dot - start))) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

// A path component: lower-case alphanumerics joined by one '.', one or two '_', or any '-'.
bool valid_component(std::string_view s) {
    if (s.empty()) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(s.front()) || !alnum(s.back())) return false;
    for (std::size_t i = 0; i < s.size();) {
        if (alnum(s[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < s.size() && !alnum(s[j])) ++j;
        std::string_view sep = s.substr(i, j - i);
        bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
        if (sep != "." && sep != "_" && sep != "__" && !dashes) return false;
        i = j;
    }
    return true;
}

}  // namespace

std::string DockerName::str() const {
    std::string out = name;
    if (tag) out += ":" + *tag;
    if (digest) out += "@" + *digest;
    return out;
}

std::optional<DockerName> parse_docker_name(std::string_view text, std::string* why) {
    auto ref = parse_reference(text);
    if (!ref) {
        if (why) *why = ref.error().message;
        return std::nullopt;
    }
    Reference r = ref->qualified ? *ref : ref->on(kDockerHub);
    DockerName out;
    out.name = r.name();
    out.digest = r.digest;
    // parse_reference supplies "latest" when no tag was written; a signature's name must be read
    // as written. The tag follows the last ':' after the last '/', before any '@'.
    std::string_view rest = text.substr(0, text.find('@'));
    auto slash = rest.rfind('/');
    auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
        out.tag = r.tag;
    return out;
}

DockerName docker_name_of(const Reference& ref) {
    DockerName out;
    out.name = ref.name();
    if (ref.digest)
        out.digest = ref.digest;
    else
        out.tag = ref.tag.value_or("latest");
    return out;
}

bool valid_remap_prefix(std::string_view prefix) {
    if (valid_domain(prefix)) return true;
    auto slash = prefix.find('/');
    if (slash == std::string_view::npos || !valid_domain(prefix.substr(0, slash))) return false;
    std::string_view path = prefix.substr(slash + 1);
    std::size_t start = 0;
    while (true) {
        auto next = path.find('/', start);
        if (!valid_component(path.substr(start, next == std::string_view::npos ? path.npos : next - start)))
            return false;
        if (next == std::string_view::npos) return true;
        start = next + 1;
    }
}

}  // namespace boxtool::trust
