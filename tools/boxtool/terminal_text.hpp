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

// The same for JSON text about to be printed: what printable() would escape becomes a JSON
// escape ("\u001b", "\u202e"), so the output stays valid JSON that means the same thing. Bytes that
// are not UTF-8 become U+FFFD.
std::string json_printable(std::string_view json);

}  // namespace boxtool::cli
