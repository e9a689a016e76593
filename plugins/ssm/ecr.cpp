#include "ecr.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <sstream>
#include <stdexcept>

#include "secure_wipe.hpp"

namespace boxtool::plugins::aws {
namespace {

bool all_digits(std::string_view s) {
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return !s.empty();
}

bool region_like(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) &&
            c != '-')
            return false;
    return true;
}

}  // namespace

std::optional<EcrRegistry> parse_ecr_host(std::string_view registry) {
    std::string host(registry.substr(0, registry.find(':')));
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view h = host;
    for (std::string_view suffix : {".amazonaws.com.cn", ".amazonaws.com"}) {
        if (h.size() > suffix.size() && h.substr(h.size() - suffix.size()) == suffix) {
            h.remove_suffix(suffix.size());
            break;
        }
        if (suffix == ".amazonaws.com") return std::nullopt;
    }
    auto first_dot = h.find('.');
    if (first_dot == std::string_view::npos) return std::nullopt;
    EcrRegistry out;
    out.account = std::string(h.substr(0, first_dot));
    auto rest = h.substr(first_dot + 1);
    if (rest.rfind("dkr.ecr.", 0) == 0) {
        rest.remove_prefix(8);
    } else if (rest.rfind("dkr.ecr-fips.", 0) == 0) {
        rest.remove_prefix(13);
        out.fips = true;
    } else {
        return std::nullopt;
    }
    if (out.account.size() != 12 || !all_digits(out.account) || !region_like(rest)) return std::nullopt;
    out.region = std::string(rest);
    return out;
}

EcrToken parse_authorization_token(const std::string& answer) {
    Poco::JSON::Object::Ptr entry;
    try {
        auto obj = Poco::JSON::Parser().parse(answer).extract<Poco::JSON::Object::Ptr>();
        auto data = obj->getArray("authorizationData");
        if (data && data->size() > 0) entry = data->getObject(0);
    } catch (const Poco::Exception&) {
    } catch (const std::exception&) {
    }
    if (!entry || !entry->has("authorizationToken"))
        throw std::runtime_error(
            "ECR GetAuthorizationToken answered without authorizationData[0].authorizationToken");
    std::string encoded = entry->getValue<std::string>("authorizationToken");
    std::string decoded;
    try {
        std::istringstream in(encoded);
        Poco::Base64Decoder decoder(in);
        decoded.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
    } catch (const Poco::Exception&) {
        decoded.clear();
    }
    secure_wipe(encoded);
    auto colon = decoded.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == decoded.size()) {
        secure_wipe(decoded);
        throw std::runtime_error(
            "ECR GetAuthorizationToken answered a token that is not base64 of USER:PASSWORD");
    }
    EcrToken token;
    token.username = decoded.substr(0, colon);
    token.password = decoded.substr(colon + 1);
    secure_wipe(decoded);
    auto expires = entry->get("expiresAt");
    std::optional<Clock::time_point> when;
    if (expires.isNumeric())
        when = from_epoch_seconds(expires.convert<double>());
    else if (expires.isString())
        when = parse_iso8601(expires.convert<std::string>());
    if (!when)
        throw std::runtime_error(
            "ECR GetAuthorizationToken answered without a usable expiresAt (epoch seconds or ISO 8601)");
    token.expires = *when;
    return token;
}

}  // namespace boxtool::plugins::aws
