// Writing JSON text by hand keeps key order and byte layout under our control, which matters for
// documents whose digest we publish (manifests, index.json).
#pragma once

#include <string>
#include <string_view>

namespace boxtool::util {

// A JSON string literal, quotes included. Control characters, DEL included, are \u escapes: valid
// JSON either way, and none of them reaches a terminal that shows the text.
std::string json_quote(std::string_view text);

}  // namespace boxtool::util
