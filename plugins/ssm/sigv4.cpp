#include "sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>

#include "secure_wipe.hpp"

namespace boxtool::plugins::aws {
namespace {

// Headers botocore leaves out of the signature: proxies and clients may change them.
bool unsigned_header(std::string_view lower_name) {
    return lower_name == "expect" || lower_name == "user-agent" || lower_name == "x-amzn-trace-id" ||
           lower_name == "authorization";
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Python's str.split() on ASCII whitespace, joined with single spaces (SigV4's "Trimall").
std::string trim_all(std::string_view value) {
    auto space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
               (c >= '\x1c' && c <= '\x1f');
    };
    std::string out;
    std::size_t i = 0;
    while (i < value.size()) {
        while (i < value.size() && space(value[i])) ++i;
        std::size_t start = i;
        while (i < value.size() && !space(value[i])) ++i;
        if (i > start) {
            if (!out.empty()) out.push_back(' ');
            out.append(value.substr(start, i - start));
        }
    }
    return out;
}

// RFC 3986 section 5.2.4, plus dropping empty segments ("//"), as botocore normalises paths.
std::string remove_dot_segments(std::string_view path) {
    if (path.empty()) return "/";
    std::vector<std::string_view> kept;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        auto segment = path.substr(start, end - start);
        if (segment == "..") {
            if (!kept.empty()) kept.pop_back();
        } else if (!segment.empty() && segment != ".") {
            kept.push_back(segment);
        }
        start = end + 1;
    }
    std::string out = path.front() == '/' ? "/" : "";
    for (std::size_t i = 0; i < kept.size(); ++i) {
        if (i) out.push_back('/');
        out.append(kept[i]);
    }
    if (path.back() == '/' && !kept.empty()) out.push_back('/');
    return out;
}

std::string hex(const unsigned char* data, std::size_t len) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (std::size_t i = 0; i < len; ++i) {
        out.push_back(digits[data[i] >> 4]);
        out.push_back(digits[data[i] & 0xf]);
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len))
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(out), len);
}

// "key=value" pairs of a wire query, sorted as botocore sorts them (by key, then value).
std::string sorted_query(std::string_view query) {
    if (query.empty()) return {};
    std::vector<std::pair<std::string, std::string>> pairs;
    std::size_t start = 0;
    while (start <= query.size()) {
        auto end = query.find('&', start);
        if (end == std::string_view::npos) end = query.size();
        auto part = query.substr(start, end - start);
        auto eq = part.find('=');
        if (eq == std::string_view::npos)
            pairs.emplace_back(std::string(part), "");
        else
            pairs.emplace_back(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
        start = end + 1;
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (const auto& [k, v] : pairs) out += (out.empty() ? "" : "&") + k + "=" + v;
    return out;
}

// Lower-cased names, sorted, each with its values trimmed and joined by ',' in request order.
std::map<std::string, std::string> signed_headers_of(const SigningRequest& request) {
    std::map<std::string, std::string> headers;
    for (const auto& [name, value] : request.headers) {
        auto key = lower(name);
        if (unsigned_header(key)) continue;
        auto [it, fresh] = headers.emplace(key, trim_all(value));
        if (!fresh) it->second += "," + trim_all(value);
    }
    return headers;
}

std::string signed_header_list(const std::map<std::string, std::string>& headers) {
    std::string out;
    for (const auto& entry : headers) out += (out.empty() ? "" : ";") + entry.first;
    return out;
}

void set_header(SigningRequest& request, const std::string& name, const std::string& value) {
    auto key = lower(name);
    std::erase_if(request.headers, [&](const auto& h) { return lower(h.first) == key; });
    request.headers.emplace_back(name, value);
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 0xf]);
        }
    }
    return out;
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> params) {
    for (auto& [k, v] : params) k = uri_encode(k, false), v = uri_encode(v, false);
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [k, v] : params) out += (out.empty() ? "" : "&") + k + "=" + v;
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return hex(digest, sizeof digest);
}

std::string canonical_request(const SigningRequest& request) {
    auto headers = signed_headers_of(request);
    if (!headers.count("host")) throw std::invalid_argument("a request to sign needs a host header");
    std::string out = lower(request.method);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += "\n" + uri_encode(remove_dot_segments(request.path), true) + "\n";
    out += sorted_query(request.query) + "\n";
    for (const auto& [name, value] : headers) out += name + ":" + value + "\n";
    out += "\n" + signed_header_list(headers) + "\n" + sha256_hex(request.body);
    return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view region, std::string_view service,
                           std::string_view canonical) {
    std::string out = "AWS4-HMAC-SHA256\n";
    out.append(amz_date);
    out += "\n" + std::string(amz_date.substr(0, 8)) + "/" + std::string(region) + "/" +
           std::string(service) + "/aws4_request\n" + sha256_hex(canonical);
    return out;
}

void sign(SigningRequest& request, const AwsCredentials& credentials, std::string_view region,
          std::string_view service, std::string_view amz_date) {
    if (amz_date.size() != 16) throw std::invalid_argument("SigV4 dates look like 20150830T123600Z");
    set_header(request, "X-Amz-Date", std::string(amz_date));
    if (!credentials.session_token.empty())
        set_header(request, "X-Amz-Security-Token", credentials.session_token);
    std::string date(amz_date.substr(0, 8));
    std::string key = "AWS4" + credentials.secret_access_key;
    std::string k_date = hmac_sha256(key, date);
    secure_wipe(key);
    std::string k_region = hmac_sha256(k_date, region);
    std::string k_service = hmac_sha256(k_region, service);
    std::string k_signing = hmac_sha256(k_service, "aws4_request");
    auto canonical = canonical_request(request);
    auto mac = hmac_sha256(k_signing, string_to_sign(amz_date, region, service, canonical));
    for (auto* k : {&k_date, &k_region, &k_service, &k_signing}) secure_wipe(*k);
    auto signature = hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
    set_header(request, "Authorization",
               "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + date + "/" +
                   std::string(region) + "/" + std::string(service) + "/aws4_request, SignedHeaders=" +
                   signed_header_list(signed_headers_of(request)) + ", Signature=" + signature);
}

std::string amz_date_now() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &utc);
    return buf;
}

}  // namespace boxtool::plugins::aws
