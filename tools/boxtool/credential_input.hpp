// --creds USER[:PASS], --password-stdin, and the terminal prompt. Passwords never come from argv
// unless the user put them there with --creds USER:PASS.
#pragma once

#include <optional>
#include <string>

#include "boxtool/credentials.hpp"

namespace boxtool::cli {

// Nothing when --creds is absent. Throws Failure(InvalidArgument) for conflicting or missing input.
// All of standard input, without trailing newlines (at most 64 KiB).
std::string read_secret_stdin();
// Asks on the terminal without echo; nothing when there is no terminal.
std::optional<std::string> prompt_secret(const std::string& prompt);

std::optional<Credential> credential_from_flags(const std::optional<std::string>& creds, bool password_stdin);

}  // namespace boxtool::cli
