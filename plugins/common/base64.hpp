// Base64 for the plugins (RFC 4648): standard with padding (auth.json "auth", the encrypted store's
// fields, the sample evidence) and base64url without padding (JOSE, for the kbs plugin).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace boxtool::plugins {

std::string base64_encode(std::string_view bytes);
// Standard base64, padding optional; nothing if the text is not base64 (data after padding,
// characters outside the alphabet, a dangling character).
std::optional<std::string> decode_base64(std::string_view text);

std::string base64url_encode(std::string_view bytes);
// Padding is accepted and ignored; nothing if the text holds a character outside the alphabet.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace boxtool::plugins
