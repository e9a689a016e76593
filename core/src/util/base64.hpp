#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace boxtool::util {

std::string base64_encode(std::string_view data);
// Standard alphabet with padding; nothing on malformed input.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace boxtool::util
