#include "settings.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <stdexcept>

#include "suggest.hpp"

namespace boxtool::plugins {

struct Settings::Impl {
    Poco::JSON::Object::Ptr obj;
};

Settings::Settings(const std::string& json) : impl_(std::make_unique<Impl>()) {
    try {
        Poco::JSON::Parser parser;
        auto parsed = parser.parse(json.empty() ? std::string("{}") : json);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr))
            impl_->obj = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("settings are not valid JSON: " + e.message());
    }
    if (!impl_->obj) throw std::runtime_error("settings must be a JSON object");
}

Settings::~Settings() = default;

std::optional<std::string> Settings::string(const std::string& key) const {
    if (!impl_->obj->has(key) || impl_->obj->get(key).isEmpty()) return std::nullopt;
    auto v = impl_->obj->get(key);
    if (!v.isString()) throw std::runtime_error("setting \"" + key + "\" must be a string");
    return v.convert<std::string>();
}

std::optional<long long> Settings::integer(const std::string& key) const {
    if (!impl_->obj->has(key) || impl_->obj->get(key).isEmpty()) return std::nullopt;
    auto v = impl_->obj->get(key);
    if (!v.isInteger()) throw std::runtime_error("setting \"" + key + "\" must be a whole number");
    return v.convert<long long>();
}

std::optional<bool> Settings::boolean(const std::string& key) const {
    if (!impl_->obj->has(key) || impl_->obj->get(key).isEmpty()) return std::nullopt;
    auto v = impl_->obj->get(key);
    if (!v.isBoolean()) throw std::runtime_error("setting \"" + key + "\" must be true or false");
    return v.convert<bool>();
}

std::optional<std::vector<std::string>> Settings::strings(const std::string& key) const {
    if (!impl_->obj->has(key) || impl_->obj->get(key).isEmpty()) return std::nullopt;
    auto arr = impl_->obj->getArray(key);
    if (!arr) throw std::runtime_error("setting \"" + key + "\" must be an array of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        auto v = arr->get(static_cast<unsigned>(i));
        if (!v.isString()) throw std::runtime_error("setting \"" + key + "\" must be an array of strings");
        out.push_back(v.convert<std::string>());
    }
    return out;
}

void Settings::reject_unknown(const std::vector<std::string>& known) const {
    std::vector<std::string> names = known;
    names.insert(names.end(), {"plugin", "registries"});
    for (const auto& [key, value] : *impl_->obj) {
        if (std::find(names.begin(), names.end(), key) != names.end()) continue;
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw std::runtime_error("unknown setting \"" + key + "\"" + text::did_you_mean(key, names) +
                                 "; this source's settings are " + (list.empty() ? "none" : list) +
                                 " (and \"plugin\", \"registries\")");
    }
}

}  // namespace boxtool::plugins
