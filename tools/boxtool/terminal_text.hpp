// Text from outside (registry error messages, WWW-Authenticate values, token server errors, plugin
// messages, names from images) made harmless for a terminal before it is printed: a registry must
// not be able to move the cursor, rewrite lines, set the window title or reorder text.
#pragma once

#include <string>
#include <string_view>

namespace boxtool::cli {

// `text` with every control character (C0 but newline and tab, DEL, C1), every byte that is not
// valid UTF-8, and the Unicode bidirectional overrides shown as visible escapes ("\x1b", "\u202e").
// Newlines stay when `keep_newlines`, for messages that span lines; tabs always stay.
std::string printable(std::string_view text, bool keep_newlines = true);

}  // namespace boxtool::cli
