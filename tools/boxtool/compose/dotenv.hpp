// The `.env` file beside a Compose file: KEY=VALUE lines that feed interpolation, with the
// process environment taking precedence (as `docker compose` does).
//   # comments, blank lines, and an optional "export " before KEY
//   KEY=value            trimmed; " #" starts a comment; ${VAR} interpolated
//   KEY="value"          \n \t \" \\ escapes; ${VAR} interpolated; may span lines
//   KEY='value'          taken literally; may span lines
// Variables may refer to the environment and to keys defined earlier in the file.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "compose/interpolation.hpp"

namespace boxtool::cli::compose {

using Variables = std::map<std::string, std::string>;

// Parses `text` (from `file`, for messages), resolving interpolations through `environment`
// first, then the keys already read. Throws Failure(Config) naming the file and line.
Variables parse_dotenv(const std::string& text, const std::filesystem::path& file,
                       const VariableLookup& environment);

// The file if it exists (nothing otherwise); the same errors.
std::optional<Variables> read_dotenv(const std::filesystem::path& file, const VariableLookup& environment);

// The lookup Compose interpolation uses: the process environment, then `dotenv`.
VariableLookup environment_then(const Variables& dotenv);

// The process environment alone.
std::optional<std::string> process_environment(const std::string& name);

}  // namespace boxtool::cli::compose
