// --creds USER[:PASS], --password-stdin, and the terminal prompt. Passwords never come from argv
// unless the user put them there with --creds USER:PASS.
#pragma once

#include <optional>
#include <string>

#include "boxtool/credentials.hpp"

namespace boxtool::cli {

// Nothing when --creds is absent. Throws Failure(InvalidArgument) for conflicting or missing input.
std::optional<Credential> credential_from_flags(const std::optional<std::string>& creds, bool password_stdin);

}  // namespace boxtool::cli
