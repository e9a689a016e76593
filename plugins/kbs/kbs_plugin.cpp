// The "kbs" credential source: registry credentials released by a Confidential Containers Key
// Broker Service after attestation. The resource is a docker-style auth.json (what Confidential
// Containers' authenticated_registry_credentials_uri names), looked up as docker-config does.
// Settings: "url", "resource", "cert", "attester" with "allow_sample_attester", "tee_key"
// ("ec" or "rsa"), "timeout" (seconds). See the README's "Confidential Containers KBS".
#include <memory>

#include "attester.hpp"
#include "auth_file.hpp"
#include "boxtool/credential_plugin.hpp"
#include "kbs_http.hpp"
#include "rcar_client.hpp"
#include "resource_uri.hpp"
#include "secure_wipe.hpp"
#include "settings.hpp"

namespace boxtool::plugins::kbs {
namespace {

// The first of `keys` that is set (the documented name, then the names Confidential Containers uses).
std::optional<std::string> first_string(const Settings& settings, std::initializer_list<const char*> keys) {
    for (const char* key : keys)
        if (auto value = settings.string(key)) return value;
    return std::nullopt;
}

class KbsSource final : public boxtool_plugin::CredentialSource {
  public:
    explicit KbsSource(const boxtool_plugin::Host& host) : host_(host) {
        Settings settings(host.settings_json());
        settings.reject_unknown({"url", "kbs_url", "resource", "resource_uri", "cert", "kbs_cert", "attester",
                                 "allow_sample_attester", "tee_key", "timeout"});
        auto resource = first_string(settings, {"resource", "resource_uri"});
        if (!resource)
            throw std::runtime_error(
                "setting \"resource\" is required: the KBS resource holding an auth.json, e.g. "
                "\"kbs:///default/credential/registry-auth\"");
        resource_ = parse_resource_uri(*resource);
        auto url = first_string(settings, {"url", "kbs_url"});
        if (!resource_.host.empty()) {
            // kbs://HOST/... names the KBS itself; "url" may only agree with it (and choose http).
            std::string authority =
                url ? url->substr(url->find("://") == std::string::npos ? 0 : url->find("://") + 3) : "";
            while (!authority.empty() && authority.back() == '/') authority.pop_back();
            if (url && authority != resource_.host)
                throw std::runtime_error("resource \"" + resource_.text + "\" names KBS " + resource_.host +
                                         " but \"url\" is " + *url +
                                         "; leave the host out of the resource (kbs:///...) to use \"url\"");
            if (!url) url = "https://" + resource_.host;
        }
        if (!url)
            throw std::runtime_error(
                "setting \"url\" is required: the KBS, e.g. \"https://kbs.internal:8080\"");
        // Plain HTTP is the user's explicit choice in the URL (Confidential Containers allows it too):
        // the resource stays encrypted to the TEE key, but nothing authenticates the KBS, so say so.
        plain_http_ = url->rfind("http://", 0) == 0;
        auto attester_name = settings.string("attester");
        if (!attester_name)
            throw std::runtime_error(
                "setting \"attester\" is required; this build has only \"sample\", which proves nothing "
                "about "
                "the machine: enable it with \"attester\": \"sample\" and \"allow_sample_attester\": true");
        auto attester =
            make_attester(*attester_name, settings.boolean("allow_sample_attester").value_or(false));
        TeeKeyType key_type = TeeKeyType::EcP256;
        if (auto k = settings.string("tee_key")) {
            if (*k == "rsa")
                key_type = TeeKeyType::Rsa;
            else if (*k != "ec")
                throw std::runtime_error(
                    "setting \"tee_key\" must be \"ec\" (P-256, the default) or \"rsa\"");
        }
        long long timeout = settings.integer("timeout").value_or(30);
        if (timeout < 1 || timeout > 600)
            throw std::runtime_error("setting \"timeout\" must be 1 to 600 seconds");
        std::optional<std::filesystem::path> cert;
        if (auto c = first_string(settings, {"cert", "kbs_cert"})) cert = *c;
        url_ = *url;
        authority_ = url_.substr(url_.find("://") == std::string::npos ? 0 : url_.find("://") + 3);
        while (!authority_.empty() && authority_.back() == '/') authority_.pop_back();
        client_ = std::make_unique<RcarClient>(
            std::make_unique<KbsHttp>(*url, cert, std::chrono::seconds(timeout)), std::move(attester),
            key_type, [this](const std::string& line) { host_.warn(line); });
    }

    boxtool_plugin::Status get(std::string_view registry, std::string_view repository,
                               boxtool_plugin::Answer& answer) override {
        warn_if_plain_http();
        std::string text = client_->get_resource(resource_);
        AuthFile file;
        try {
            file = parse_auth_file(resource_.text, text);
        } catch (...) {
            secure_wipe(text);
            throw;
        }
        secure_wipe(text);
        const AuthEntry* entry = file.find(registry, repository);
        if (!entry) return boxtool_plugin::Status::NotFound;
        answer.username = entry->username;
        answer.password = entry->password;
        answer.identity_token = entry->identity_token;
        answer.registry_token = entry->registry_token;
        if (!entry->identity_token.empty()) answer.password.clear();
        answer.source = "KBS " + url_ + " " + resource_.text + " auths[\"" + entry->key + "\"]";
        return boxtool_plugin::Status::Found;
    }

    std::string describe() const override { return resource_.text + " from KBS " + url_; }

    // ABI 1.1: other resources of this KBS (a signature policy, a public key), released after the
    // same attestation, with the same session and token.
    boxtool_plugin::Status resource(std::string_view uri, std::string& out, std::string& source) override {
        if (uri.rfind("kbs://", 0) != 0) return boxtool_plugin::Status::NotFound;
        ResourceUri wanted = parse_resource_uri(uri);
        if (!wanted.host.empty() && wanted.host != authority_) return boxtool_plugin::Status::NotFound;
        warn_if_plain_http();
        out = client_->get_resource(wanted);
        source = "KBS " + url_ + " " + wanted.text;
        return boxtool_plugin::Status::Found;
    }

  private:
    void warn_if_plain_http() {
        if (plain_http_ && !warned_http_) {
            host_.warn("kbs: " + url_ +
                       " is plain HTTP: the resources are still encrypted to the TEE key, but nothing proves "
                       "they come from the KBS; use https:// with \"cert\"");
            warned_http_ = true;
        }
    }

    boxtool_plugin::Host host_;
    ResourceUri resource_;
    std::string url_;
    std::string authority_;  // host[:port] of url_, which a kbs://HOST/... resource must name
    std::unique_ptr<RcarClient> client_;
    bool plain_http_ = false;
    bool warned_http_ = false;
};

}  // namespace
}  // namespace boxtool::plugins::kbs

BOXTOOL_CREDENTIAL_PLUGIN(boxtool::plugins::kbs::KbsSource, "kbs", "1.1")
