#include "boxtool/platform.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include "grammar.hpp"
#include "util/text.hpp"

namespace boxtool {
namespace {

int variant_number(const std::string& v) {
    if (v.size() < 2 || v[0] != 'v') return -1;
    try {
        return std::stoi(v.substr(1));
    } catch (...) {
        return -1;
    }
}

}  // namespace

std::string Platform::str() const {
    std::string out = os + "/" + architecture;
    if (!variant.empty()) out += "/" + variant;
    return out;
}

Platform normalize_platform(Platform p) {
    p.os = util::ascii_lower(p.os);
    p.architecture = util::ascii_lower(p.architecture);
    p.variant = util::ascii_lower(p.variant);
    if (p.os == "macos") p.os = "darwin";
    if (!p.variant.empty() && std::isdigit(static_cast<unsigned char>(p.variant[0])))
        p.variant = "v" + p.variant;
    const std::string& a = p.architecture;
    if (a == "x86_64" || a == "x86-64" || a == "x64")
        p.architecture = "amd64";
    else if (a == "aarch64")
        p.architecture = "arm64";
    else if (a == "i386" || a == "i486" || a == "i586" || a == "i686" || a == "x86")
        p.architecture = "386";
    else if (a == "armhf")
        p.architecture = "arm", p.variant = p.variant.empty() ? "v7" : p.variant;
    else if (a == "armel")
        p.architecture = "arm", p.variant = p.variant.empty() ? "v6" : p.variant;
    else if (a == "armv5l" || a == "armv6l" || a == "armv7l" || a == "armv8l")
        p.variant = std::string("v") + a[4], p.architecture = "arm";
    // arm64 is v8 unless said otherwise, and amd64's baseline is v1: drop the defaults so they compare equal.
    if (p.architecture == "arm64" && p.variant == "v8") p.variant.clear();
    if (p.architecture == "amd64" && p.variant == "v1") p.variant.clear();
    if (p.architecture == "arm" && p.variant.empty()) p.variant = "v7";
    return p;
}

Result<Platform> parse_platform(std::string_view text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        auto slash = text.find('/', start);
        parts.emplace_back(text.substr(start, slash == std::string_view::npos ? text.npos : slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    auto bad = [&](const std::string& why) -> Result<Platform> {
        return Error{ErrorKind::InvalidArgument,
                     "invalid platform \"" + std::string(text) + "\": " + why,
                     {},
                     {},
                     "use OS/ARCH[/VARIANT], e.g. linux/amd64, linux/arm64, linux/arm/v7"};
    };
    if (parts.size() < 2 || parts.size() > 3) return bad("expected two or three parts");
    for (const auto& p : parts) {
        if (p.empty()) return bad("empty part");
        if (!std::all_of(p.begin(), p.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
            }))
            return bad("invalid character in \"" + p + "\"");
    }
    return normalize_platform(Platform{parts[0], parts[1], parts.size() == 3 ? parts[2] : ""});
}

Platform host_platform() {
    utsname u{};
    std::string machine = uname(&u) == 0 ? u.machine : "x86_64";
    return normalize_platform(Platform{"linux", machine, ""});
}

int platform_match_score(const Platform& wanted_in, const Platform& candidate_in) {
    Platform wanted = normalize_platform(wanted_in);
    Platform cand = normalize_platform(candidate_in);
    if (wanted.os != cand.os || wanted.architecture != cand.architecture) return 0;
    if (wanted.variant == cand.variant) return 100;
    // Older variants run on newer hardware: arm/v7 runs v6 and v5 images, amd64/v3 runs v2 and v1.
    int w = variant_number(wanted.variant.empty() ? "v1" : wanted.variant);
    int c = variant_number(cand.variant.empty() ? "v1" : cand.variant);
    if (wanted.architecture == "arm" || wanted.architecture == "amd64") {
        if (w > 0 && c > 0 && c < w) return 100 - (w - c) * 10;
    }
    return 0;
}

}  // namespace boxtool
