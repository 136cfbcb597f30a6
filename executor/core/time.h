#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mqttest {

/// A point in time: Unix seconds and nanoseconds.
struct instant {
  std::int64_t seconds = 0;
  std::int32_t nanos = 0;
  auto operator<=>(const instant&) const = default;
};

/// An instant and the UTC offset its text was written in.
struct rfc3339_time {
  instant at;
  int offset = 0;     ///< seconds east of UTC
  bool zulu = false;  ///< written with `Z` rather than a numeric offset
};

/// Parses RFC 3339 text (`2006-01-02T15:04:05Z`, `2006-01-02T15:04:05.123+02:00`;
/// `t` or a space may stand for `T`, `z` for `Z`). nullopt when it is not one,
/// or when a field is out of range (month 13, February 30, hour 24, ...).
std::optional<rfc3339_time> parse_rfc3339(std::string_view text);

/// Unix seconds as UTC text, `2006-01-02T15:04:05Z`; without the `Z` when
/// `with_zone` is false (JUnit's timestamp).
std::string format_utc(std::int64_t seconds, bool with_zone = true);

/// The current time in UTC, to the second: `2006-01-02T15:04:05Z`.
std::string utc_now();

}  // namespace mqttest
