#include "config_file.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <typeinfo>

#include "boxtool/reference.hpp"
#include "suggest.hpp"

namespace boxtool::cli {
namespace {

constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

Failure config_error(const std::filesystem::path& path, const std::string& why) {
    return Failure(ErrorKind::Config, "invalid config file " + path.string() + ": " + why,
                   "fix the file or leave out --config; see the README's configuration section");
}

std::vector<std::string> string_list(const Poco::JSON::Object::Ptr& obj, const std::string& key,
                                     const std::filesystem::path& path) {
    std::vector<std::string> out;
    if (!obj->has(key)) return out;
    auto arr = obj->getArray(key);
    if (!arr) throw config_error(path, "\"" + key + "\" must be an array of strings");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        auto v = arr->get(static_cast<unsigned>(i));
        if (!v.isString())
            throw config_error(path, "\"" + key + "\"[" + std::to_string(i) + "] is not a string");
        out.push_back(v.convert<std::string>());
    }
    return out;
}

std::vector<std::string> registry_list(const Poco::JSON::Object::Ptr& obj, const std::string& key,
                                       const std::filesystem::path& path) {
    std::vector<std::string> out;
    if (!obj->has(key)) return out;
    auto arr = obj->getArray(key);
    if (!arr) throw config_error(path, "\"" + key + "\" must be an array of registry hosts");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        auto v = arr->get(static_cast<unsigned>(i));
        if (!v.isString())
            throw config_error(path, "\"" + key + "\"[" + std::to_string(i) + "] is not a string");
        std::string host = v.convert<std::string>();
        // A host is valid exactly when "HOST/x" parses with HOST as its registry.
        auto probe = parse_reference(host + "/x");
        if (host.empty() || !probe || !probe->qualified)
            throw config_error(path, "\"" + key + "\"[" + std::to_string(i) + "] \"" + host +
                                         "\" is not a registry host (HOST or HOST:PORT)");
        out.push_back(host);
    }
    return out;
}

// A path from the file: a relative one is relative to the file's folder.
std::filesystem::path resolve_against(const std::filesystem::path& file, const std::string& value) {
    std::filesystem::path p = value;
    return p.is_relative() ? std::filesystem::absolute(file).parent_path() / p : p;
}

// A list of PEM texts, each with at least one certificate block.
std::vector<std::string> pem_list(const Poco::JSON::Object::Ptr& obj, const std::string& key,
                                  const std::filesystem::path& path) {
    std::vector<std::string> out;
    for (auto& text : string_list(obj, key, path)) {
        if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
            throw config_error(path, "\"" + key + "\"[" + std::to_string(out.size()) +
                                         "] is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)");
        out.push_back(std::move(text));
    }
    return out;
}

// Folders; a relative one is relative to the config file's folder, like "store".
std::vector<std::filesystem::path> path_list(const Poco::JSON::Object::Ptr& obj, const std::string& key,
                                             const std::filesystem::path& path) {
    std::vector<std::filesystem::path> out;
    for (const auto& text : string_list(obj, key, path)) {
        if (text.empty()) throw config_error(path, "\"" + key + "\" holds an empty path");
        out.push_back(resolve_against(path, text));
    }
    return out;
}

std::vector<plugins::SourceConfig> credential_sources(const Poco::JSON::Object::Ptr& obj,
                                                      const std::filesystem::path& path) {
    // The parser embedders use too (boxtool/credential_chain.hpp); a relative plugin path is relative
    // to the config file, like other paths here.
    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(obj->get("credential_sources"), text);
    auto sources =
        plugins::parse_credential_sources(text.str(), std::filesystem::absolute(path).parent_path());
    if (!sources) throw config_error(path, sources.error().message);
    return std::move(*sources);
}

std::vector<CredentialLink> credential_links(const Poco::JSON::Object::Ptr& obj,
                                             const std::filesystem::path& path) {
    auto arr = obj->getArray("credential_links");
    if (!arr)
        throw config_error(path,
                           "\"credential_links\" must be an array of {\"images\": [GLOB, ...], "
                           "\"credential\": NAME} objects");
    std::vector<CredentialLink> out;
    static const std::vector<std::string> keys = {"images", "credential"};
    for (std::size_t i = 0; i < arr->size(); ++i) {
        std::string where = "\"credential_links\"[" + std::to_string(i) + "]";
        auto entry = arr->getObject(static_cast<unsigned>(i));
        if (!entry) throw config_error(path, where + " is not an object");
        for (const auto& [key, value] : *entry)
            if (std::find(keys.begin(), keys.end(), key) == keys.end())
                throw config_error(path, where + " has an unknown key \"" + key + "\"" +
                                             text::did_you_mean(key, keys) +
                                             " (a link has \"images\" and \"credential\")");
        CredentialLink link;
        link.origin = where + " in " + path.string();
        auto images = entry->getArray("images");
        if (!images || images->size() == 0)
            throw config_error(path, where +
                                         ".images must be a non-empty array of image globs, e.g. "
                                         "[\"ghcr.io/org/*\"]");
        for (std::size_t j = 0; j < images->size(); ++j) {
            auto g = images->get(static_cast<unsigned>(j));
            if (!g.isString() || g.convert<std::string>().empty())
                throw config_error(path,
                                   where + ".images[" + std::to_string(j) + "] is not a non-empty string");
            link.images.push_back(g.convert<std::string>());
        }
        if (!entry->has("credential") || !entry->get("credential").isString() ||
            entry->get("credential").convert<std::string>().empty())
            throw config_error(path, where +
                                         " needs \"credential\": the name or id of a stored credential "
                                         "(boxtool registry list)");
        link.credential = entry->get("credential").convert<std::string>();
        out.push_back(std::move(link));
    }
    return out;
}

ProxyOptions proxy_settings(const Poco::JSON::Object::Ptr& obj, const std::filesystem::path& path) {
    ProxyOptions out;
    auto v = obj->get("proxy");
    if (v.isString()) {
        out.https_proxy = out.http_proxy = v.convert<std::string>();
        if (out.https_proxy.empty()) throw config_error(path, "\"proxy\" must be a proxy URL or an object");
        return out;
    }
    auto p = obj->getObject("proxy");
    if (!p)
        throw config_error(path,
                           "\"proxy\" must be a proxy URL (\"http://HOST:PORT\") or an object with "
                           "\"https\", \"http\", \"no_proxy\" and \"loopback\"");
    static const std::vector<std::string> keys = {"https", "http", "no_proxy", "loopback"};
    for (const auto& [key, value] : *p)
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            throw config_error(
                path, "\"proxy\" has an unknown key \"" + key + "\"" + text::did_you_mean(key, keys));
    auto text = [&](const char* key) {
        if (!p->has(key)) return std::string();
        auto value = p->get(key);
        if (!value.isString())
            throw config_error(path, std::string("\"proxy\".") + key + " must be a string");
        return value.convert<std::string>();
    };
    out.https_proxy = text("https");
    out.http_proxy = text("http");
    if (auto list = p->getArray("no_proxy")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto e = list->get(static_cast<unsigned>(i));
            if (!e.isString()) throw config_error(path, "\"proxy\".no_proxy entries must be strings");
            out.no_proxy += (out.no_proxy.empty() ? "" : ",") + e.convert<std::string>();
        }
    } else {
        out.no_proxy = text("no_proxy");
    }
    if (p->has("loopback")) {
        auto b = p->get("loopback");
        if (!b.isBoolean()) throw config_error(path, "\"proxy\".loopback must be true or false");
        out.proxy_loopback = b.convert<bool>();
    }
    return out;
}

}  // namespace

const std::vector<std::string>& config_file_keys() {
    static const std::vector<std::string> keys = {"image_registries",
                                                  "insecure_registries",
                                                  "plain_http_registries",
                                                  "store",
                                                  "plugin_dirs",
                                                  "credential_sources",
                                                  "policy",
                                                  "extra_root_certificates",
                                                  "certs_dirs",
                                                  "credential_links",
                                                  "proxy",
                                                  "signature_policy",
                                                  "registries_d"};
    return keys;
}

ConfigFile load_config_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path, "cannot open it (does it exist and is it readable?)");
    std::string text(kMaxConfigBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) throw config_error(path, "larger than 1 MiB");

    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parsed = parser.parse(text);
    } catch (const Poco::Exception& e) {
        throw config_error(path, "not valid JSON: " + e.message());
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
        throw config_error(path, "the top level must be a JSON object");
    auto obj = parsed.extract<Poco::JSON::Object::Ptr>();
    if (!obj) throw config_error(path, "the top level must be a JSON object");

    // Unknown keys first: a misspelt key explains the rest better than any error it causes.
    for (const auto& [key, value] : *obj)
        if (std::find(config_file_keys().begin(), config_file_keys().end(), key) == config_file_keys().end())
            throw config_error(path,
                               "unknown key \"" + key + "\"" + text::did_you_mean(key, config_file_keys()));

    ConfigFile cfg;
    cfg.image_registries = registry_list(obj, "image_registries", path);
    cfg.insecure_registries = registry_list(obj, "insecure_registries", path);
    cfg.plain_http_registries = registry_list(obj, "plain_http_registries", path);
    if (obj->has("store")) {
        auto v = obj->get("store");
        if (!v.isString() || v.convert<std::string>().empty())
            throw config_error(path, "\"store\" must be a non-empty path");
        cfg.store = resolve_against(path, v.convert<std::string>());
    }
    if (obj->has("policy")) {
        auto v = obj->get("policy");
        if (!v.isString() || v.convert<std::string>().empty())
            throw config_error(path, "\"policy\" must be the path of a Lua policy script");
        cfg.policy = resolve_against(path, v.convert<std::string>());
    }
    if (obj->has("signature_policy")) {
        auto v = obj->get("signature_policy");
        if (!v.isString() || v.convert<std::string>().empty())
            throw config_error(path,
                               "\"signature_policy\" must be the path of a containers-policy.json file or "
                               "a kbs:///REPOSITORY/TYPE/TAG resource");
        std::string where = v.convert<std::string>();
        cfg.signature_policy = where.rfind("kbs://", 0) == 0 ? where : resolve_against(path, where).string();
    }
    if (obj->has("registries_d")) {
        auto v = obj->get("registries_d");
        if (!v.isString() || v.convert<std::string>().empty())
            throw config_error(path, "\"registries_d\" must be the path of a registries.d folder");
        cfg.registries_d = resolve_against(path, v.convert<std::string>());
    }
    cfg.plugin_dirs = path_list(obj, "plugin_dirs", path);
    if (obj->has("credential_sources")) cfg.credential_sources = credential_sources(obj, path);
    cfg.extra_root_certificates = pem_list(obj, "extra_root_certificates", path);
    cfg.certs_dirs = path_list(obj, "certs_dirs", path);
    if (obj->has("credential_links")) cfg.credential_links = credential_links(obj, path);
    if (obj->has("proxy")) cfg.proxy = proxy_settings(obj, path);
    return cfg;
}

}  // namespace boxtool::cli
