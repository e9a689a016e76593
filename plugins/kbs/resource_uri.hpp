// "kbs:///default/credential/NAME": a resource of a Key Broker Service, as Confidential
// Containers writes them (e.g. authenticated_registry_credentials_uri). An empty host means the
// configured KBS.
#pragma once

#include <string>
#include <string_view>

namespace boxtool::plugins::kbs {

struct ResourceUri {
    std::string host;  // "" for the configured KBS, else host[:port]
    std::string repository;
    std::string type;
    std::string tag;
    std::string text;  // as written, for messages
    // "/kbs/v0/resource/<repository>/<type>/<tag>"
    std::string path() const { return "/kbs/v0/resource/" + repository + "/" + type + "/" + tag; }
};

// Throws std::runtime_error explaining the expected shape when `text` is not kbs://[HOST]/R/T/TAG
// with three non-empty segments of letters, digits, '.', '_' and '-'.
ResourceUri parse_resource_uri(std::string_view text);

}  // namespace boxtool::plugins::kbs
