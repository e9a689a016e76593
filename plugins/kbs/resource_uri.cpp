#include "resource_uri.hpp"

#include <cctype>
#include <stdexcept>
#include <vector>

namespace boxtool::plugins::kbs {
namespace {

bool plain_segment(std::string_view s) {
    if (s.empty() || s == "." || s == "..") return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

}  // namespace

ResourceUri parse_resource_uri(std::string_view text) {
    const std::string expected =
        "resource \"" + std::string(text) +
        "\" is not a KBS resource URI: expected kbs:///REPOSITORY/TYPE/TAG "
        "(e.g. kbs:///default/credential/registry-auth) or kbs://HOST/REPOSITORY/TYPE/TAG";
    constexpr std::string_view scheme = "kbs://";
    if (text.substr(0, scheme.size()) != scheme) throw std::runtime_error(expected);
    std::string_view rest = text.substr(scheme.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) throw std::runtime_error(expected);
    ResourceUri uri;
    uri.text = std::string(text);
    uri.host = std::string(rest.substr(0, slash));
    std::vector<std::string> parts;
    std::string_view path = rest.substr(slash + 1);
    while (true) {
        auto next = path.find('/');
        parts.emplace_back(path.substr(0, next));
        if (next == std::string_view::npos) break;
        path = path.substr(next + 1);
    }
    if (parts.size() != 3) throw std::runtime_error(expected);
    for (const auto& p : parts)
        if (!plain_segment(p)) throw std::runtime_error(expected);
    uri.repository = parts[0];
    uri.type = parts[1];
    uri.tag = parts[2];
    return uri;
}

}  // namespace boxtool::plugins::kbs
