#include "http/request_log.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "util/json_text.hpp"
#include "util/text.hpp"

namespace boxtool {
const char* to_string(LogRecord::Kind kind) noexcept {
    switch (kind) {
        case LogRecord::Kind::Request:
            return "http-request";
        case LogRecord::Kind::Response:
            return "http-response";
        case LogRecord::Kind::Redirect:
            return "http-redirect";
        case LogRecord::Kind::Retry:
            return "http-retry";
        case LogRecord::Kind::Credential:
            return "credential";
        case LogRecord::Kind::Failure:
            return "http-failure";
    }
    return "log";
}

std::string to_text(const LogRecord& r) {
    std::string out;
    auto headers = [&] {
        std::string h;
        for (const auto& [k, v] : r.headers) h += (h.empty() ? " [" : "; ") + k + ": " + v;
        return h.empty() ? h : h + "]";
    };
    auto via = [&] { return r.proxy.empty() ? std::string() : " via " + r.proxy; };
    auto ms = [&] { return " " + std::to_string(r.elapsed.count()) + "ms"; };
    switch (r.kind) {
        case LogRecord::Kind::Request:
            out = "> " + r.method + " " + r.url + via() + headers();
            break;
        case LogRecord::Kind::Response:
            out = "< " + std::to_string(r.status) + " " + r.method + " " + r.url + ms() + headers();
            break;
        case LogRecord::Kind::Redirect:
            out = "< redirect to " + r.url + " (" + r.message + ")";
            break;
        case LogRecord::Kind::Retry:
            out = "! retry after attempt " + std::to_string(r.attempt) + " of " + r.method + " " + r.url +
                  ": " + r.message;
            break;
        case LogRecord::Kind::Credential:
            out = "* " + r.registry + ": " + r.message;
            break;
        case LogRecord::Kind::Failure:
            out = "! " + r.method + " " + r.url + via() + " failed after" + ms() + ": " + r.message;
            break;
    }
    return "debug: " + out;
}

std::string to_json(const LogRecord& r) {
    using util::json_quote;
    std::string out =
        "{\"event\":\"" + std::string(to_string(r.kind)) + "\",\"time\":\"" + util::rfc3339_ms(r.time) + "\"";
    auto field = [&](const char* name, const std::string& value) {
        if (!value.empty()) out += std::string(",\"") + name + "\":" + json_quote(value);
    };
    field("method", r.method);
    field("url", r.url);
    field("registry", r.registry);
    field("proxy", r.proxy);
    if (r.status) out += ",\"status\":" + std::to_string(r.status);
    if (r.kind == LogRecord::Kind::Response || r.kind == LogRecord::Kind::Failure)
        out += ",\"elapsedMs\":" + std::to_string(r.elapsed.count());
    if (r.attempt) out += ",\"attempt\":" + std::to_string(r.attempt);
    if (!r.headers.empty()) {
        out += ",\"headers\":{";
        bool first = true;
        for (const auto& [k, v] : r.headers) {
            out += (first ? "" : ",") + json_quote(k) + ":" + json_quote(v);
            first = false;
        }
        out += "}";
    }
    field("message", r.message);
    return out + "}";
}

namespace http {
namespace {

bool secret_parameter(std::string_view name) {
    static constexpr std::array<std::string_view, 12> kWords = {"token",      "sig",    "signature", "secret",
                                                                "password",   "passwd", "key",       "code",
                                                                "credential", "auth",   "session",   "jwt"};
    std::string n = util::ascii_lower(name);
    return std::any_of(kWords.begin(), kWords.end(),
                       [&](std::string_view w) { return n.find(w) != std::string::npos; });
}

}  // namespace

std::string redact_url(std::string_view text) {
    std::string url(text);
    // User information: scheme://user:pass@host -> scheme://REDACTED@host.
    if (auto scheme = url.find("://"); scheme != std::string::npos) {
        auto authority_end = url.find_first_of("/?#", scheme + 3);
        auto at = url.rfind('@', authority_end == std::string::npos ? url.size() : authority_end);
        if (at != std::string::npos && at > scheme)
            url = url.substr(0, scheme + 3) + "REDACTED" + url.substr(at);
    }
    auto q = url.find('?');
    if (q == std::string::npos) return url;
    std::string fragment;
    if (auto hash = url.find('#', q); hash != std::string::npos) {
        fragment = url.substr(hash);
        url.resize(hash);
    }
    std::string out = url.substr(0, q + 1);
    std::string query = url.substr(q + 1);
    std::size_t start = 0;
    bool first = true;
    while (start <= query.size()) {
        auto end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        std::string part = query.substr(start, end - start);
        auto eq = part.find('=');
        if (eq != std::string::npos && secret_parameter(part.substr(0, eq)))
            part = part.substr(0, eq + 1) + "REDACTED";
        out += (first ? "" : "&") + part;
        first = false;
        start = end + 1;
    }
    return out + fragment;
}

HeaderList loggable_headers(const HeaderList& headers) {
    static constexpr std::array<std::string_view, 14> kKept = {
        "content-type", "content-length",   "docker-content-digest", "range",         "content-range",
        "location",     "www-authenticate", "retry-after",           "authorization", "proxy-authorization",
        "cookie",       "set-cookie",       "accept-ranges",         "oci-subject"};
    HeaderList out;
    for (const auto& [k, v] : headers) {
        std::string name = util::ascii_lower(k);
        if (std::find(kKept.begin(), kKept.end(), name) == kKept.end()) continue;
        if (name == "authorization" || name == "proxy-authorization") {
            out.emplace_back(k, v.substr(0, v.find(' ')) + " REDACTED");
        } else if (name == "cookie" || name == "set-cookie") {
            out.emplace_back(k, "REDACTED");
        } else if (name == "location") {
            out.emplace_back(k, redact_url(v));
        } else {
            out.emplace_back(k, v);
        }
    }
    return out;
}

std::string host_of(std::string_view url) {
    auto scheme = url.find("://");
    std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
    return std::string(rest);
}

void emit(const LogCallback& log, LogRecord record) {
    if (!log) return;
    if (record.time == std::chrono::system_clock::time_point{})
        record.time = std::chrono::system_clock::now();
    try {
        log(record);
    } catch (...) {
    }
}

}  // namespace http
}  // namespace boxtool
