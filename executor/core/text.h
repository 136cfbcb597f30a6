#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mqttest {

/// White space as C's isspace() has it in the "C" locale.
inline constexpr std::string_view kWhitespace = " \t\n\r\v\f";

/// ASCII lower case; other bytes (UTF-8 included) stay as they are, whatever the locale.
char to_lower(char c);
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);

/// Standard base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);

/// Equal but for ASCII case (`clientId` and `CLIENTID`).
bool iequals(std::string_view a, std::string_view b);

/// `text` without the leading and trailing characters that are in `chars`.
std::string_view trim(std::string_view text, std::string_view chars = kWhitespace);

/// The pieces between the separators, empty ones kept: "a.b" -> {"a", "b"},
/// "a." -> {"a", ""}, "" -> {""}.
std::vector<std::string_view> split(std::string_view text, char separator);

}  // namespace mqttest
