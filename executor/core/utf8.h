#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mqttest {

/// Length of the valid UTF-8 sequence starting at `i` (1 to 4), 0 when the
/// bytes there are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, cut).
std::size_t utf8_sequence(std::string_view s, std::size_t i);

/// Offset of the first byte that is not valid UTF-8, npos when all is valid.
std::size_t invalid_utf8_at(std::string_view s);

/// bytes as valid UTF-8: invalid sequences become U+FFFD (JSON strings must be UTF-8).
std::string utf8_text(std::string_view bytes);

}  // namespace mqttest
