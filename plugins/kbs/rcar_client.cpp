#include "rcar_client.hpp"

#include <openssl/evp.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <cctype>
#include <cstdio>
#include <stdexcept>

#include "base64.hpp"
#include "jwe.hpp"
#include "redact.hpp"
#include "secure_wipe.hpp"

namespace boxtool::plugins::kbs {
namespace {

Poco::JSON::Object::Ptr parse_object(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        return nullptr;
    }
}

// " (TYPE: DETAIL)" from a KBS ErrorInformation body, made safe to show; "" when there is none.
std::string error_information(const HttpAnswer& answer) {
    auto info = parse_object(answer.body);
    std::string detail;
    if (info && info->has("detail") && info->get("detail").isString())
        detail = info->getValue<std::string>("detail");
    else if (!info)
        detail = answer.body;
    if (detail.empty()) return "";
    return ": " + redact_for_display(detail);
}

// The token's "exp" (seconds since the epoch), read without verifying: it is only used to decide
// when to attest again, never to trust anything.
std::optional<std::chrono::system_clock::time_point> token_expiry(const std::string& token) {
    auto first = token.find('.');
    auto second = token.find('.', first == std::string::npos ? first : first + 1);
    if (first == std::string::npos || second == std::string::npos) return std::nullopt;
    auto payload = base64url_decode(std::string_view(token).substr(first + 1, second - first - 1));
    if (!payload) return std::nullopt;
    auto claims = parse_object(*payload);
    if (!claims || !claims->has("exp") || !claims->get("exp").isInteger()) return std::nullopt;
    return std::chrono::system_clock::time_point(std::chrono::seconds(claims->getValue<long long>("exp")));
}

}  // namespace

struct RcarClient::Session {
    std::string cookie;  // the kbs-session-id value
    std::string token;   // the attestation token, sent as a Bearer token
    std::optional<std::chrono::system_clock::time_point> expires;
    TeeKey key;
    Session(std::string c, std::string t, TeeKey k)
        : cookie(std::move(c)), token(std::move(t)), key(std::move(k)) {}
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session() {
        secure_wipe(token);
        secure_wipe(cookie);
    }
};

RcarClient::RcarClient(std::unique_ptr<KbsHttp> http, std::unique_ptr<Attester> attester, TeeKeyType key_type,
                       std::function<void(const std::string&)> warn)
    : http_(std::move(http)), attester_(std::move(attester)), key_type_(key_type), warn_(std::move(warn)) {}

RcarClient::~RcarClient() = default;

std::string canonical_json_string(std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    return out + "\"";
}

std::string canonical_runtime_data(std::string_view nonce, std::string_view jwk) {
    return "{\"nonce\":" + canonical_json_string(nonce) + ",\"tee-pubkey\":" + std::string(jwk) + "}";
}

std::string runtime_data_digest(std::string_view algorithm, std::string_view data) {
    const EVP_MD* md = algorithm == "sha256"   ? EVP_sha256()
                       : algorithm == "sha384" ? EVP_sha384()
                       : algorithm == "sha512" ? EVP_sha512()
                                               : nullptr;
    if (!md)
        throw std::runtime_error("the KBS selected an unsupported hash algorithm \"" +
                                 std::string(algorithm) + "\"");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &len, md, nullptr) != 1)
        throw std::runtime_error("hashing the runtime data failed");
    return std::string(reinterpret_cast<char*>(digest), len);
}

bool RcarClient::session_alive() const {
    if (!session_) return false;
    // A minute's margin: a token that expires while the resource request travels is a wasted 401.
    return !session_->expires ||
           std::chrono::system_clock::now() + std::chrono::minutes(1) < *session_->expires;
}

void RcarClient::attest() {
    session_.reset();
    const std::string& kbs = http_->url();
    if (attester_->proves_nothing())
        warn_("kbs: attesting to " + kbs + " with the \"" + attester_->tee() +
              "\" attester, whose evidence proves nothing about this machine; use it for tests only");

    // Request -> Challenge, and the session cookie.
    std::string request =
        std::string(R"({"extra-params":{"supported-hash-algorithms":["sha256","sha384","sha512"]},"tee":)") +
        canonical_json_string(attester_->tee()) + R"(,"version":")" + kProtocolVersion + "\"}";
    auto auth = http_->send("POST", "/kbs/v0/auth", request, {});
    if (auth.status != 200)
        throw std::runtime_error("KBS " + kbs + " refused the attestation request (POST /kbs/v0/auth, HTTP " +
                                 std::to_string(auth.status) + ")" + error_information(auth) +
                                 "; check that it speaks KBS protocol " + kProtocolVersion +
                                 " and accepts TEE \"" + attester_->tee() + "\"");
    auto cookie = auth.cookies.find("kbs-session-id");
    auto challenge = parse_object(auth.body);
    if (cookie == auth.cookies.end() || cookie->second.empty())
        throw std::runtime_error("KBS " + kbs + " sent no kbs-session-id cookie with its challenge");
    if (!challenge || !challenge->has("nonce") || !challenge->get("nonce").isString())
        throw std::runtime_error("KBS " + kbs + " sent a challenge without a \"nonce\"");
    std::string nonce = challenge->getValue<std::string>("nonce");
    std::string algorithm = "sha384";
    if (auto extra = challenge->getObject("extra-params"); extra && extra->has("selected-hash-algorithm")) {
        if (!extra->get("selected-hash-algorithm").isString())
            throw std::runtime_error("KBS " + kbs +
                                     " sent a \"selected-hash-algorithm\" that is not a string");
        algorithm = extra->getValue<std::string>("selected-hash-algorithm");
    }
    for (auto& c : algorithm) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

    // Attestation: a fresh TEE key, bound to the nonce through the report data.
    TeeKey key = TeeKey::generate(key_type_);
    std::string runtime_data = canonical_runtime_data(nonce, key.public_jwk());
    std::string evidence = attester_->evidence(runtime_data_digest(algorithm, runtime_data));
    std::string attestation = R"({"runtime-data":)" + runtime_data + R"(,"tee-evidence":)" + evidence + "}";
    auto attest =
        http_->send("POST", "/kbs/v0/attest", attestation, {{"Cookie", "kbs-session-id=" + cookie->second}});
    if (attest.status != 200)
        throw std::runtime_error("KBS " + kbs + " rejected the attestation evidence of the \"" +
                                 attester_->tee() + "\" attester (POST /kbs/v0/attest, HTTP " +
                                 std::to_string(attest.status) + ")" + error_information(attest) +
                                 "; check the KBS attestation policy");
    auto result = parse_object(attest.body);
    if (!result || !result->has("token") || !result->get("token").isString())
        throw std::runtime_error("KBS " + kbs + " accepted the evidence but sent no attestation token");
    auto session =
        std::make_unique<Session>(cookie->second, result->getValue<std::string>("token"), std::move(key));
    if (auto renewed = attest.cookies.find("kbs-session-id"); renewed != attest.cookies.end())
        session->cookie = renewed->second;
    session->expires = token_expiry(session->token);
    session_ = std::move(session);
    ++attestations_;
}

std::string RcarClient::get_resource(const ResourceUri& resource) {
    const std::string& kbs = http_->url();
    for (int attempt = 0;; ++attempt) {
        if (!session_alive()) attest();
        auto answer = http_->send("GET", resource.path(), "",
                                  {{"Cookie", "kbs-session-id=" + session_->cookie},
                                   {"Authorization", "Bearer " + session_->token}});
        const std::string what = "resource " + resource.text + " (GET " + resource.path() + ")";
        switch (answer.status) {
            case 200:
                try {
                    return decrypt_jwe(answer.body, session_->key);
                } catch (const std::exception& e) {
                    throw std::runtime_error("KBS " + kbs + " sent " + what +
                                             " in a form the TEE key cannot open: " + e.what());
                }
            case 401:
                // The session or token expired (or the KBS restarted): attest again, once.
                session_.reset();
                if (attempt == 0) continue;
                throw std::runtime_error("KBS " + kbs + " still answers 401 Unauthorized for " + what +
                                         " after attesting again" + error_information(answer));
            case 403:
                throw std::runtime_error(
                    "KBS " + kbs + " refused " + what + " by its resource policy (HTTP 403)" +
                    error_information(answer) +
                    "; the attestation succeeded, so the KBS policy must allow this TEE to read it");
            case 404:
                throw std::runtime_error(
                    "KBS " + kbs + " has no " + what + " (HTTP 404)" + error_information(answer) +
                    "; check the \"resource\" setting, or store the auth.json there on the KBS");
            default:
                throw std::runtime_error("KBS " + kbs + " failed " + what + " (HTTP " +
                                         std::to_string(answer.status) + ")" + error_information(answer));
        }
    }
}

}  // namespace boxtool::plugins::kbs
