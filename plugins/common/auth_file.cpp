#include "auth_file.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "base64.hpp"
#include "secure_wipe.hpp"
#include "server_key.hpp"

namespace boxtool::plugins {
namespace {

constexpr std::size_t kMaxAuthFileBytes = 4 * 1024 * 1024;

std::runtime_error malformed(const std::filesystem::path& path, const std::string& why) {
    return std::runtime_error(path.string() + " is malformed: " + why);
}

std::string string_member(const Poco::JSON::Object::Ptr& obj, const std::string& name,
                          const std::filesystem::path& path, const std::string& where) {
    if (!obj->has(name)) return {};
    auto v = obj->get(name);
    if (v.isEmpty()) return {};
    if (!v.isString()) throw malformed(path, where + "." + name + " is not a string");
    return v.convert<std::string>();
}

}  // namespace

AuthEntry::~AuthEntry() {
    secure_wipe(password);
    secure_wipe(identity_token);
    secure_wipe(registry_token);
}

AuthFile parse_auth_file(const std::filesystem::path& path, std::string_view text) {
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parsed = parser.parse(std::string(text));
    } catch (const Poco::Exception& e) {
        throw malformed(path, "not valid JSON (" + e.message() + ")");
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
        throw malformed(path, "the top level is not an object");
    auto root = parsed.extract<Poco::JSON::Object::Ptr>();
    AuthFile file;
    file.path = path;
    if (root->has("auths") && !root->get("auths").isEmpty()) {
        auto auths = root->getObject("auths");
        if (!auths) throw malformed(path, "\"auths\" is not an object");
        for (const auto& [key, value] : *auths) {
            std::string where = "auths[\"" + key + "\"]";
            if (value.type() != typeid(Poco::JSON::Object::Ptr))
                throw malformed(path, where + " is not an object");
            auto obj = value.extract<Poco::JSON::Object::Ptr>();
            AuthEntry entry;
            entry.key = key;
            std::string auth = string_member(obj, "auth", path, where);
            if (!auth.empty()) {
                auto decoded = decode_base64(auth);
                auto colon = decoded ? decoded->find(':') : std::string::npos;
                if (!decoded || colon == std::string::npos) {
                    if (decoded) secure_wipe(*decoded);
                    throw malformed(path, where + ".auth is not base64 of \"user:password\"");
                }
                entry.username = decoded->substr(0, colon);
                entry.password = decoded->substr(colon + 1);
                secure_wipe(*decoded);
            }
            if (auto u = string_member(obj, "username", path, where); !u.empty()) entry.username = u;
            if (auto p = string_member(obj, "password", path, where); !p.empty()) entry.password = p;
            entry.identity_token = string_member(obj, "identitytoken", path, where);
            entry.registry_token = string_member(obj, "registrytoken", path, where);
            std::string normalized = normalize_server_key(key);
            if (normalized.empty()) continue;
            // Two spellings of one server (docker.io and https://index.docker.io/v1/): the one
            // holding a secret wins, the first otherwise.
            auto it = file.auths.find(normalized);
            if (it == file.auths.end())
                file.auths.emplace(normalized, std::move(entry));
            else if (!it->second.has_secret() && entry.has_secret())
                it->second = entry;
        }
    }
    file.creds_store = string_member(root, "credsStore", path, "");
    if (root->has("credHelpers") && !root->get("credHelpers").isEmpty()) {
        auto helpers = root->getObject("credHelpers");
        if (!helpers) throw malformed(path, "\"credHelpers\" is not an object");
        for (const auto& [key, value] : *helpers) {
            if (!value.isString()) throw malformed(path, "credHelpers[\"" + key + "\"] is not a string");
            file.cred_helpers.emplace(normalize_server_key(key), value.convert<std::string>());
        }
    }
    return file;
}

std::optional<AuthFile> read_auth_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    std::string text(kMaxAuthFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxAuthFileBytes) throw std::runtime_error(path.string() + " is larger than 4 MiB");
    auto file = parse_auth_file(path, text);
    secure_wipe(text);
    return file;
}

const AuthEntry* AuthFile::find(std::string_view registry, std::string_view repository) const {
    for (const auto& key : lookup_keys(registry, repository))
        if (auto it = auths.find(key); it != auths.end() && it->second.has_secret()) return &it->second;
    return nullptr;
}

std::optional<std::string> AuthFile::helper_for(std::string_view registry) const {
    if (auto it = cred_helpers.find(normalize_server_key(registry)); it != cred_helpers.end())
        return it->second;
    return std::nullopt;
}

}  // namespace boxtool::plugins
