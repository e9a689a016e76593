#include "registry/token_response.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace boxtool::registry {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

std::string string_field(const Poco::JSON::Object::Ptr& obj, const char* name) {
    if (!obj->has(name) || !obj->get(name).isString()) return {};
    return obj->getValue<std::string>(name);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                    &used) != 6 ||
        used != 19)
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    std::size_t i = 19;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    }
    long long offset = 0;
    if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
        ++i;
    } else if (i + 6 == text.size() && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
        offset = (text[i] == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
        i += 6;
    } else {
        return std::nullopt;
    }
    if (i != text.size()) return std::nullopt;
    long long secs = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                     hour * 3600LL + minute * 60LL + second - offset;
    return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
}

std::chrono::seconds TokenResponse::remaining(std::chrono::system_clock::time_point now) const {
    using std::chrono::seconds;
    // No date, or one that cannot be a delay in transit: a server clock ahead of ours, or so far
    // behind that the token would be dead on arrival (the registry, whose clock the token server
    // shares, will say so if it really is). Counting from now then beats fetching a token per request.
    if (!issued_at || *issued_at > now || now - *issued_at >= expires_in) return expires_in;
    return std::chrono::duration_cast<seconds>(*issued_at + expires_in - now);
}

bool is_bearer_token(std::string_view token) {
    std::size_t i = 0;
    while (i < token.size() && (std::isalnum(static_cast<unsigned char>(token[i])) ||
                                std::string_view("-._~+/").find(token[i]) != std::string_view::npos))
        ++i;
    if (i == 0) return false;
    while (i < token.size() && token[i] == '=') ++i;
    return i == token.size();
}

std::optional<TokenResponse> parse_token_response(const std::string& body) {
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        if (!obj) return std::nullopt;
        TokenResponse out;
        std::string token = string_field(obj, "token");
        if (token.empty()) token = string_field(obj, "access_token");
        if (token.empty()) return std::nullopt;
        out.token = Secret(std::move(token));
        out.refresh_token = Secret(string_field(obj, "refresh_token"));
        // The distribution spec: a lifetime under 60 s (or none) is taken as 60 s.
        if (obj->has("expires_in") && obj->get("expires_in").isInteger())
            out.expires_in = std::chrono::seconds(std::max(60LL, obj->getValue<long long>("expires_in")));
        if (auto issued = string_field(obj, "issued_at"); !issued.empty())
            out.issued_at = parse_rfc3339(issued);
        return out;
    } catch (...) {
        return std::nullopt;
    }
}

}  // namespace boxtool::registry
