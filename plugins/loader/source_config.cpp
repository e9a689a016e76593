#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>
#include <typeinfo>

#include "boxtool/credential_chain.hpp"

namespace boxtool::plugins {

Result<std::vector<SourceConfig>> parse_credential_sources(std::string_view json_array,
                                                           const std::filesystem::path& base_dir) {
    auto bad = [](const std::string& why) {
        return Error{ErrorKind::Config,
                     why,
                     {},
                     {},
                     "credential_sources is a JSON array of {\"plugin\": NAME, \"registries\": [GLOB...], "
                     "...settings} objects"};
    };
    Poco::JSON::Array::Ptr arr;
    try {
        Poco::JSON::Parser parser;
        auto value = parser.parse(std::string(json_array));
        if (value.type() == typeid(Poco::JSON::Array::Ptr)) arr = value.extract<Poco::JSON::Array::Ptr>();
    } catch (const std::exception& e) {
        return bad(std::string("\"credential_sources\" is not valid JSON: ") + e.what());
    }
    if (!arr) return bad("\"credential_sources\" must be an array of {\"plugin\": NAME, ...} objects");
    std::vector<SourceConfig> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        std::string where = "\"credential_sources\"[" + std::to_string(i) + "]";
        auto entry = arr->getObject(static_cast<unsigned>(i));
        if (!entry) return bad(where + " is not an object");
        if (!entry->has("plugin") || !entry->get("plugin").isString() ||
            entry->get("plugin").convert<std::string>().empty())
            return bad(where + " needs \"plugin\": the name of a credential plugin");
        SourceConfig source;
        source.plugin = entry->get("plugin").convert<std::string>();
        // A plugin given as a relative path is relative to base_dir (the config file's folder).
        if (source.plugin.find('/') != std::string::npos && source.plugin[0] != '/' && !base_dir.empty())
            source.plugin = (base_dir / source.plugin).string();
        if (entry->has("registries")) {
            auto globs = entry->getArray("registries");
            if (!globs) return bad(where + ".registries must be an array of registry globs");
            for (std::size_t j = 0; j < globs->size(); ++j) {
                auto g = globs->get(static_cast<unsigned>(j));
                if (!g.isString() || g.convert<std::string>().empty())
                    return bad(where + ".registries[" + std::to_string(j) + "] is not a non-empty string");
                source.registries.push_back(g.convert<std::string>());
            }
        }
        std::ostringstream settings;
        entry->stringify(settings);
        source.settings_json = settings.str();
        out.push_back(std::move(source));
    }
    return out;
}

}  // namespace boxtool::plugins
