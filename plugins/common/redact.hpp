// Making text from outside programs safe to show: a helper's stderr may echo what it was given.
#pragma once

#include <string>
#include <string_view>

namespace boxtool::plugins {

// The first line of `text`, at most 200 characters, with every token-like word (12 or more
// characters of base64/hex/JWT alphabet mixing letters and digits) replaced by <redacted>.
std::string redact_for_display(std::string_view text);

}  // namespace boxtool::plugins
