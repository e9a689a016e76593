// base64url without padding (RFC 4648 section 5), as JOSE writes every binary field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace boxtool::plugins::kbs {

std::string base64url_encode(std::string_view bytes);
// Padding is accepted and ignored; nothing if the text holds a character outside the alphabet.
std::optional<std::string> base64url_decode(std::string_view text);
// Standard base64 with padding, as the sample evidence carries its report data.
std::string base64_encode(std::string_view bytes);

}  // namespace boxtool::plugins::kbs
