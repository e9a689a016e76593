#include "http/proxy.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

#include "util/text.hpp"

namespace boxtool::http {
namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

// "[::1]:5000" -> "::1"; "host." -> "host".
std::string bare_host(std::string_view host) {
    std::string h = util::ascii_lower(host);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    while (!h.empty() && h.back() == '.') h.pop_back();
    return h;
}

std::optional<Poco::Net::IPAddress> parse_ip(const std::string& text) {
    Poco::Net::IPAddress ip;
    if (Poco::Net::IPAddress::tryParse(text, ip)) return ip;
    return std::nullopt;
}

bool in_cidr(const Poco::Net::IPAddress& ip, const std::string& cidr) {
    auto slash = cidr.find('/');
    auto net = parse_ip(cidr.substr(0, slash));
    if (!net || net->family() != ip.family()) return false;
    unsigned bits = 0;
    try {
        std::size_t used = 0;
        int b = std::stoi(cidr.substr(slash + 1), &used);
        if (used != cidr.size() - slash - 1 || b < 0 || static_cast<unsigned>(b) > net->length() * 8)
            return false;
        bits = static_cast<unsigned>(b);
    } catch (...) {
        return false;
    }
    Poco::Net::IPAddress mask(bits, ip.family());
    return (ip & mask) == (*net & mask);
}

// Splits "host:port", "[v6]:port", "v6" (no port: several colons), "host".
void split_entry(const std::string& entry, std::string& host, std::optional<std::uint16_t>& port) {
    host = entry;
    port.reset();
    std::string::size_type colon = std::string::npos;
    if (!entry.empty() && entry.front() == '[') {
        auto close = entry.find(']');
        if (close == std::string::npos) return;
        host = entry.substr(1, close - 1);
        if (close + 1 < entry.size() && entry[close + 1] == ':') colon = close + 1;
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
        colon = entry.find(':');
        host = entry.substr(0, colon);
    }
    if (colon == std::string::npos) return;
    try {
        std::size_t used = 0;
        int p = std::stoi(entry.substr(colon + 1), &used);
        if (used == entry.size() - colon - 1 && p > 0 && p < 65536) port = static_cast<std::uint16_t>(p);
    } catch (...) {
    }
}

std::string percent_decode(const std::string& s) {
    std::string out;
    Poco::URI::decode(s, out);
    return out;
}

}  // namespace

std::string ProxyUrl::str() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return "http://" + h + ":" + std::to_string(port);
}

ProxyUrl parse_proxy_url(std::string_view text) {
    std::string url(text);
    while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.pop_back();
    if (url.find("://") == std::string::npos) url = "http://" + url;
    std::string scheme = util::ascii_lower(url.substr(0, url.find("://")));
    if (scheme != "http")
        throw ProxyError("proxy scheme \"" + scheme +
                         "\" is not supported (only http:// proxies, which tunnel HTTPS with CONNECT)");
    // User information is cut off by hand: Poco::URI would keep the password in its error messages.
    std::string rest = url.substr(url.find("://") + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    ProxyUrl out;
    if (auto at = rest.rfind('@'); at != std::string::npos) {
        std::string userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        auto colon = userinfo.find(':');
        out.username = percent_decode(userinfo.substr(0, colon));
        if (colon != std::string::npos) out.password = percent_decode(userinfo.substr(colon + 1));
    }
    std::optional<std::uint16_t> port;
    std::string host;
    if (!rest.empty() && rest.front() != '[' && std::count(rest.begin(), rest.end(), ':') > 1)
        throw ProxyError("proxy address \"" + rest +
                         "\" is malformed (write an IPv6 address as [ADDR]:PORT)");
    split_entry(rest, host, port);
    if (host.empty()) throw ProxyError("proxy URL has no host");
    if (rest.find(':') != std::string::npos && !port &&
        (rest.front() != '[' || rest.find("]:") != std::string::npos))
        throw ProxyError("proxy address \"" + rest + "\" has an invalid port");
    for (unsigned char c : host)
        if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':'))
            throw ProxyError("proxy host \"" + host + "\" is malformed");
    out.host = util::ascii_lower(host);
    out.port = port.value_or(80);
    return out;
}

void fill_from_environment(ProxyRules& rules) {
    auto pick = [](const char* low, const char* up, bool allow_upper) {
        std::string v = env(low);
        if (v.empty() && allow_upper) v = env(up);
        return v;
    };
    const std::string all = pick("all_proxy", "ALL_PROXY", true);
    if (rules.https_proxy.empty()) rules.https_proxy = pick("https_proxy", "HTTPS_PROXY", true);
    if (rules.https_proxy.empty()) rules.https_proxy = all;
    // CGI programs get a client's "Proxy:" header as HTTP_PROXY ("httpoxy"): ignore it there.
    if (rules.http_proxy.empty())
        rules.http_proxy = pick("http_proxy", "HTTP_PROXY", env("REQUEST_METHOD").empty());
    if (rules.http_proxy.empty()) rules.http_proxy = all;
    if (rules.no_proxy.empty()) rules.no_proxy = pick("no_proxy", "NO_PROXY", true);
}

bool is_loopback_host(std::string_view host_text) {
    std::string host = bare_host(host_text);
    if (host == "localhost" || (host.size() > 10 && host.ends_with(".localhost"))) return true;
    auto ip = parse_ip(host);
    return ip && ip->isLoopback();
}

bool no_proxy_matches(std::string_view list, std::string_view host_text, std::uint16_t port) {
    const std::string host = bare_host(host_text);
    const auto host_ip = parse_ip(host);
    std::string entries(list);
    std::replace(entries.begin(), entries.end(), ' ', ',');
    std::size_t start = 0;
    while (start <= entries.size()) {
        std::size_t end = entries.find(',', start);
        if (end == std::string::npos) end = entries.size();
        std::string entry = util::ascii_lower(entries.substr(start, end - start));
        start = end + 1;
        entry.erase(
            std::remove_if(entry.begin(), entry.end(), [](unsigned char c) { return std::isspace(c); }),
            entry.end());
        if (entry.empty()) continue;
        if (entry == "*") return true;
        if (entry.find('/') != std::string::npos) {  // a CIDR range
            if (host_ip && in_cidr(*host_ip, entry)) return true;
            continue;
        }
        std::string want;
        std::optional<std::uint16_t> want_port;
        split_entry(entry, want, want_port);
        if (want_port && *want_port != port) continue;
        while (!want.empty() && want.back() == '.') want.pop_back();
        if (want.empty()) continue;
        if (auto ip = parse_ip(want)) {
            if (host_ip && *host_ip == *ip) return true;
            continue;
        }
        if (want.rfind("*.", 0) == 0) want = want.substr(1);
        if (want.front() == '.') {  // subdomains only
            if (host.size() > want.size() && host.ends_with(want)) return true;
            continue;
        }
        if (host == want || (host.size() > want.size() && host.ends_with("." + want))) return true;
    }
    return false;
}

std::optional<ProxyUrl> proxy_for(const ProxyRules& rules, std::string_view scheme, std::string_view host,
                                  std::uint16_t port) {
    const std::string& url = util::ascii_lower(scheme) == "https" ? rules.https_proxy : rules.http_proxy;
    if (url.empty()) return std::nullopt;
    if (!rules.proxy_loopback && is_loopback_host(host)) return std::nullopt;
    if (no_proxy_matches(rules.no_proxy, host, port)) return std::nullopt;
    return parse_proxy_url(url);
}

void apply_proxy(Poco::Net::HTTPClientSession& session, const ProxyUrl& proxy) {
    Poco::Net::HTTPClientSession::ProxyConfig config;
    config.host = proxy.host;
    config.port = proxy.port;
    config.username = proxy.username;
    config.password = proxy.password;
    session.setProxyConfig(config);
}

void use_environment_proxy(Poco::Net::HTTPClientSession& session, std::string_view scheme,
                           std::string_view host, std::uint16_t port) {
    if (no_proxy_matches("169.254.0.0/16,fe80::/10,fd00:ec2::254", host, port)) return;
    ProxyRules rules;
    fill_from_environment(rules);
    if (auto proxy = proxy_for(rules, scheme, host, port)) apply_proxy(session, *proxy);
}

}  // namespace boxtool::http
