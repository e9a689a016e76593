// Compose files (the Compose Specification, as `docker compose` reads them) for `pull --compose`:
// parsed with yaml-cpp, interpolated, merged in order like `docker compose -f a.yml -f b.yml`, and
// reduced to what pulling needs: each service's image, platform and x-boxtool-credential.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compose/interpolation.hpp"

namespace boxtool::cli::compose {

struct Service {
    std::string name;
    std::string image;                      // interpolated; "" when the service only builds
    bool builds = false;                    // has a build section
    std::optional<std::string> platform;    // "linux/arm64"
    std::optional<std::string> credential;  // x-boxtool-credential: a stored credential's name or id
    std::vector<std::string> profiles;
    std::string skipped;  // why it is not pulled ("" when it is): build only, or an inactive profile
    // Where the image (or, without one, the service) was last defined: "compose.yml:12".
    std::string origin;
};

struct Project {
    std::vector<std::filesystem::path> files;
    std::vector<Service> services;      // in the order they first appear
    std::vector<std::string> warnings;  // unset variables, read as ""
};

struct LoadOptions {
    VariableLookup variables;                  // the environment, then .env
    std::vector<std::string> active_profiles;  // COMPOSE_PROFILES
};

// Reads and merges `files` in order. Every problem is a Failure(Config) naming the file, the line
// and the service: invalid YAML, an unknown top-level key, a value of the wrong type (services
// that are not a mapping, an image that is not a string...), a required variable without a value,
// a malformed ${...}, an image reference or platform that does not parse, a duplicate key.
Project load_project(const std::vector<std::filesystem::path>& files, const LoadOptions& options);

// Loads `files` with the process environment and the .env file beside the first file (the
// environment wins), and COMPOSE_PROFILES from either.
Project load_project_with_environment(const std::vector<std::filesystem::path>& files);

}  // namespace boxtool::cli::compose
