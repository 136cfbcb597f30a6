#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mqttest {

/// An instant with the UTC offset it is shown in (like Go's time.Time).
struct go_time {
  std::int64_t seconds = 0;  ///< Unix seconds
  int nanos = 0;
  int offset = 0;            ///< seconds east of UTC
  std::string zone;          ///< abbreviation ("UTC", "CET"), may be empty
};

/// The current time in the local zone.
go_time time_now();

/// Formats `t` with a Go reference-date layout ("2006-01-02T15:04:05Z07:00").
std::string format_go_layout(const go_time& t, std::string_view layout);

/// RFC 3339 with nanoseconds, Go's time.RFC3339Nano; how `now` renders.
std::string format_rfc3339(const go_time& t);

/// Parses RFC 3339 text ("2024-01-02T03:04:05.5+01:00", also with a space
/// instead of "T"); nullopt when it is not one.
std::optional<go_time> parse_go_time(std::string_view text);

}  // namespace mqttest
