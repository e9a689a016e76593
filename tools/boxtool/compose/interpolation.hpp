// Variable interpolation in Compose files, as the Compose specification defines it:
//   $VAR, ${VAR}                 the value; empty (with a warning) when unset
//   ${VAR:-default} ${VAR-default}   default when unset or empty / only when unset
//   ${VAR:?message} ${VAR?message}   an error with message when unset or empty / only when unset
//   ${VAR:+other}   ${VAR+other}     other when set and non-empty / when set; empty otherwise
//   $$                           a literal $
// Defaults, messages and replacements may themselves hold interpolations (${A:-${B}}).
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace boxtool::cli::compose {

// The value of a variable, or nothing when it is unset.
using VariableLookup = std::function<std::optional<std::string>(const std::string& name)>;

// A missing required variable or a malformed template; what() says which, without the file.
struct InterpolationError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Interpolates `text`. Unset variables read as "" and are added to `unset` (for warnings).
// Throws InterpolationError.
std::string interpolate(std::string_view text, const VariableLookup& lookup,
                        std::vector<std::string>* unset = nullptr);

}  // namespace boxtool::cli::compose
