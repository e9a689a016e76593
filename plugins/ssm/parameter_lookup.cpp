#include "parameter_lookup.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <stdexcept>

#include "secure_wipe.hpp"
#include "server_key.hpp"

namespace boxtool::plugins::aws {
namespace {

void replace_all(std::string& text, const std::string& what, const std::string& with) {
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
        text.replace(at, what.size(), with);
}

}  // namespace

ParameterSettings read_parameter_settings(const std::string& settings_json) {
    ParameterSettings out;
    Poco::JSON::Object::Ptr obj;
    try {
        obj = Poco::JSON::Parser()
                  .parse(settings_json.empty() ? "{}" : settings_json)
                  .extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("settings are not a JSON object: " + e.message());
    }
    if (obj->has("parameters") && !obj->get("parameters").isEmpty()) {
        auto map = obj->getObject("parameters");
        if (!map)
            throw std::runtime_error("setting \"parameters\" must be an object of registry: parameter name");
        for (const auto& [key, value] : *map) {
            if (!value.isString() || value.convert<std::string>().empty())
                throw std::runtime_error("setting \"parameters\": the entry for \"" + key +
                                         "\" must be a parameter name");
            auto server = normalize_server_key(key);
            if (server.empty())
                throw std::runtime_error("setting \"parameters\": \"" + key + "\" names no registry");
            out.by_server[server] = value.convert<std::string>();
        }
    }
    if (obj->has("parameter") && !obj->get("parameter").isEmpty()) {
        if (!obj->get("parameter").isString())
            throw std::runtime_error(
                "setting \"parameter\" must be a parameter name template like /boxtool/{registry}");
        out.name_template = obj->getValue<std::string>("parameter");
    }
    return out;
}

std::optional<std::string> parameter_for(const ParameterSettings& settings, std::string_view registry,
                                         std::string_view repository) {
    for (const auto& key : lookup_keys(registry, repository))
        if (auto it = settings.by_server.find(key); it != settings.by_server.end()) return it->second;
    if (settings.name_template.empty()) return std::nullopt;
    std::string name = settings.name_template;
    std::string host(registry);
    replace_all(host, ":", "_");
    replace_all(name, "{registry}", host);
    replace_all(name, "{repository}", std::string(repository));
    return name;
}

ParameterCredential parse_parameter_value(const std::string& value, const std::string& default_username,
                                          const std::string& parameter) {
    ParameterCredential out;
    auto first = value.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && value[first] == '{') {
        Poco::JSON::Object::Ptr obj;
        try {
            obj = Poco::JSON::Parser().parse(value).extract<Poco::JSON::Object::Ptr>();
        } catch (const Poco::Exception&) {
        } catch (const std::exception&) {
        }
        if (obj) {
            if (!obj->has("password") || !obj->get("password").isString())
                throw std::runtime_error("SSM parameter " + parameter +
                                         " holds a JSON object without a \"password\" string");
            out.password = obj->getValue<std::string>("password");
            out.username = obj->has("username") && obj->get("username").isString()
                               ? obj->getValue<std::string>("username")
                               : default_username;
            if (out.username.empty())
                throw std::runtime_error("SSM parameter " + parameter +
                                         " holds no \"username\" and the source has no \"username\" setting");
            return out;
        }
        // Not JSON after all: a secret that happens to start with '{'.
    }
    if (value.empty()) throw std::runtime_error("SSM parameter " + parameter + " is empty");
    if (default_username.empty())
        throw std::runtime_error("SSM parameter " + parameter +
                                 " holds a bare secret, so the source needs a \"username\" setting (or store "
                                 "{\"username\": ..., \"password\": ...} in the parameter)");
    out.username = default_username;
    out.password = value;
    return out;
}

}  // namespace boxtool::plugins::aws
