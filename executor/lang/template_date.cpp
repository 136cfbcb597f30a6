#include "executor/lang/template_date.h"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <ctime>

#include "executor/core/time.h"

namespace mqttest {
namespace {

constexpr std::array<std::string_view, 12> month_names = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 7> day_names = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

bool starts(std::string_view s, std::size_t at, std::string_view prefix) {
  return s.substr(at, prefix.size()) == prefix;
}

/// Broken-down fields of `t` in its own offset.
std::tm fields(const go_time& t) {
  std::time_t shifted = static_cast<std::time_t>(t.seconds + t.offset);
  std::tm tm{};
  gmtime_r(&shifted, &tm);
  return tm;
}

std::string zone_offset(int offset, bool z_for_utc, bool colon, bool with_seconds, bool hours_only) {
  if (offset == 0 && z_for_utc) return "Z";
  char sign = offset < 0 ? '-' : '+';
  int abs = offset < 0 ? -offset : offset;
  std::string out = fmt::format("{}{:02}", sign, abs / 3600);
  if (hours_only) return out;
  out += fmt::format("{}{:02}", colon ? ":" : "", abs / 60 % 60);
  if (with_seconds) out += fmt::format("{}{:02}", colon ? ":" : "", abs % 60);
  return out;
}

std::string fraction(int nanos, std::size_t digits, bool trim_zeros) {
  std::string all = fmt::format("{:09}", nanos).substr(0, digits);
  if (trim_zeros) {
    while (!all.empty() && all.back() == '0') all.pop_back();
    if (all.empty()) return {};
  }
  return "." + all;
}

/// One layout element at `i`: appends its rendering to `out` and returns its
/// length, or 0 when `layout[i]` is literal text.
std::size_t element(const go_time& t, const std::tm& tm, std::string_view layout, std::size_t i,
                    std::string& out) {
  int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  struct entry {
    std::string_view token;
    std::string text;
  };
  const entry entries[] = {
      {"January", std::string(month_names[tm.tm_mon])},
      {"Jan", std::string(month_names[tm.tm_mon].substr(0, 3))},
      {"Monday", std::string(day_names[tm.tm_wday])},
      {"Mon", std::string(day_names[tm.tm_wday].substr(0, 3))},
      {"MST", t.zone.empty() ? zone_offset(t.offset, false, false, false, false) : t.zone},
      {"2006", fmt::format("{:04}", tm.tm_year + 1900)},
      {"002", fmt::format("{:03}", tm.tm_yday + 1)},
      {"__2", fmt::format("{:>3}", tm.tm_yday + 1)},
      {"_2", fmt::format("{:>2}", tm.tm_mday)},
      {"01", fmt::format("{:02}", tm.tm_mon + 1)},
      {"02", fmt::format("{:02}", tm.tm_mday)},
      {"03", fmt::format("{:02}", hour12)},
      {"04", fmt::format("{:02}", tm.tm_min)},
      {"05", fmt::format("{:02}", tm.tm_sec)},
      {"06", fmt::format("{:02}", (tm.tm_year + 1900) % 100)},
      {"15", fmt::format("{:02}", tm.tm_hour)},
      {"1", std::to_string(tm.tm_mon + 1)},
      {"2", std::to_string(tm.tm_mday)},
      {"3", std::to_string(hour12)},
      {"4", std::to_string(tm.tm_min)},
      {"5", std::to_string(tm.tm_sec)},
      {"PM", tm.tm_hour >= 12 ? "PM" : "AM"},
      {"pm", tm.tm_hour >= 12 ? "pm" : "am"},
      {"Z07:00:00", zone_offset(t.offset, true, true, true, false)},
      {"-07:00:00", zone_offset(t.offset, false, true, true, false)},
      {"Z070000", zone_offset(t.offset, true, false, true, false)},
      {"-070000", zone_offset(t.offset, false, false, true, false)},
      {"Z07:00", zone_offset(t.offset, true, true, false, false)},
      {"-07:00", zone_offset(t.offset, false, true, false, false)},
      {"Z0700", zone_offset(t.offset, true, false, false, false)},
      {"-0700", zone_offset(t.offset, false, false, false, false)},
      {"Z07", zone_offset(t.offset, true, false, false, true)},
      {"-07", zone_offset(t.offset, false, false, false, true)},
  };
  if ((layout[i] == '.' || layout[i] == ',') && i + 1 < layout.size() &&
      (layout[i + 1] == '0' || layout[i + 1] == '9')) {
    char digit = layout[i + 1];
    std::size_t j = i + 1;
    while (j < layout.size() && layout[j] == digit) ++j;
    if (j == layout.size() || layout[j] < '0' || layout[j] > '9') {
      std::string text = fraction(t.nanos, j - i - 1, digit == '9');
      if (!text.empty()) text[0] = layout[i];
      out += text;
      return j - i;
    }
  }
  for (const entry& e : entries) {
    if (!starts(layout, i, e.token)) continue;
    out += e.text;
    return e.token.size();
  }
  return 0;
}

}  // namespace

go_time time_now() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  go_time t;
  t.seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  t.nanos = static_cast<int>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() %
                             1000000000);
  std::time_t seconds = static_cast<std::time_t>(t.seconds);
  std::tm local{};
  localtime_r(&seconds, &local);
  t.offset = static_cast<int>(local.tm_gmtoff);
  t.zone = local.tm_zone ? local.tm_zone : "";
  return t;
}

std::string format_go_layout(const go_time& t, std::string_view layout) {
  std::tm tm = fields(t);
  std::string out;
  for (std::size_t i = 0; i < layout.size();) {
    std::size_t used = element(t, tm, layout, i, out);
    if (used == 0) {
      out += layout[i];
      used = 1;
    }
    i += used;
  }
  return out;
}

std::string format_rfc3339(const go_time& t) {
  return format_go_layout(t, "2006-01-02T15:04:05.999999999Z07:00");
}

std::optional<go_time> parse_go_time(std::string_view text) {
  auto parsed = parse_rfc3339(text);
  if (!parsed) return std::nullopt;
  go_time t;
  t.seconds = parsed->at.seconds;
  t.nanos = parsed->at.nanos;
  t.offset = parsed->offset;
  if (parsed->zulu) t.zone = "UTC";
  return t;
}

}  // namespace mqttest
