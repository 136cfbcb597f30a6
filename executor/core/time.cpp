#include "executor/core/time.h"

#include <ctime>

namespace mqttest {
namespace {

std::optional<int> read_fixed(std::string_view s, std::size_t at, std::size_t width) {
  if (at + width > s.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

/// Reads `.digits` at s[i] into nanoseconds (digits past the ninth are
/// dropped); returns the index past them, npos for a `.` without digits.
std::size_t read_fraction(std::string_view s, std::size_t i, std::int32_t& nanos) {
  if (i >= s.size() || s[i] != '.') return i;
  std::size_t end = i + 1;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  if (end == i + 1) return std::string_view::npos;
  std::int32_t scale = 100000000;
  for (std::size_t k = i + 1; k < end && scale > 0; ++k, scale /= 10) nanos += (s[k] - '0') * scale;
  return end;
}

/// Reads the zone that ends the text at s[i]: `Z`, or `+HH:MM`/`-HH:MM`.
bool read_zone(std::string_view s, std::size_t i, rfc3339_time& out) {
  if (i + 1 == s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    out.zulu = true;
    return true;
  }
  if (i + 6 != s.size() || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':') return false;
  auto hours = read_fixed(s, i + 1, 2);
  auto minutes = read_fixed(s, i + 4, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return false;
  out.offset = (s[i] == '-' ? -1 : 1) * (*hours * 3600 + *minutes * 60);
  return true;
}

}  // namespace

std::optional<rfc3339_time> parse_rfc3339(std::string_view s) {
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  auto year = read_fixed(s, 0, 4);
  auto month = read_fixed(s, 5, 2);
  auto day = read_fixed(s, 8, 2);
  auto hour = read_fixed(s, 11, 2);
  auto minute = read_fixed(s, 14, 2);
  auto second = read_fixed(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  rfc3339_time result;
  std::size_t i = read_fraction(s, 19, result.at.nanos);
  if (i == std::string_view::npos || !read_zone(s, i, result)) return std::nullopt;
  std::int64_t days =
      days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  result.at.seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - result.offset;
  return result;
}

std::string format_utc(std::int64_t seconds, bool with_zone) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, with_zone ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S", &tm);
  return text;
}

std::string utc_now() { return format_utc(std::time(nullptr)); }

}  // namespace mqttest
