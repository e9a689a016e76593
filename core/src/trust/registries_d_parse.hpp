// One registries.d YAML file as data (containers-registries.d(5)); RegistriesD (trust.hpp) merges
// the files of a folder. Separate so the parser can be fuzzed and unit-tested alone.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "trust/strict_json.hpp"

namespace boxtool::trust {

struct LookasideNamespace {
    std::string lookaside;  // "lookaside", for reading
    std::string sigstore;   // "sigstore", its older name
};

struct RegistriesFile {
    std::optional<LookasideNamespace> default_docker;
    std::map<std::string, LookasideNamespace> docker;
};

// Throws JsonError (the name is historical: any malformed document) for malformed YAML or settings
// of the wrong shape. Unknown keys are ignored, as containers/image ignores them.
RegistriesFile parse_registries_d_file(std::string_view text);

}  // namespace boxtool::trust
