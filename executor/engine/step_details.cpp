#include "executor/engine/step_details.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "executor/core/limits.h"
#include "executor/core/text.h"

namespace mqttest {
namespace {

std::string file_and_line(const position& where) {
  if (where.line == 0) return where.file;
  return fmt::format("{}:{}", where.file, where.line);
}

/// "label value", continuation lines aligned under the value.
std::string labelled(std::string_view indent, std::string_view label, std::string_view value) {
  std::string prefix = fmt::format("{}{}", indent, label);
  std::string continuation = std::string(indent) + std::string(label.size(), ' ');
  std::string out = prefix;
  for (char c : value) {
    out += c;
    if (c == '\n') out += continuation;
  }
  return out + "\n";
}

using nlohmann::json;

/// About the bytes `value` takes as JSON indented by 2 at `depth`; stops
/// counting once past `budget` (so deep values cost at most the budget).
std::size_t shown_size(const json& value, std::size_t depth, std::size_t budget) {
  if (value.is_string()) return value.get_ref<const std::string&>().size() + 2;
  if (!value.is_structured()) return value.dump().size();
  std::size_t size = 2 + 1 + 2 * depth;  // brackets, the closing one on its own line
  for (auto it = value.begin(); it != value.end() && size <= budget; ++it) {
    size += 2 * (depth + 1) + 2;  // indent, ",\n"
    if (value.is_object()) size += it.key().size() + 4;
    size += shown_size(*it, depth + 1, budget - std::min(size, budget));
  }
  return size;
}

/// `text` cut at a character boundary so that it and "… N more bytes" fit
/// in `max_bytes`.
std::string cut_text(const std::string& text, std::size_t max_bytes) {
  std::string longest_marker = fmt::format("\u2026 {} more bytes", text.size());
  std::size_t keep = max_bytes > longest_marker.size() ? max_bytes - longest_marker.size() : 0;
  keep = std::min(keep, text.size());
  while (keep > 0 && keep < text.size() && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80)
    --keep;  // not inside a multi-byte character
  return text.substr(0, keep) + fmt::format("\u2026 {} more bytes", text.size() - keep);
}

/// One shown message: itself when it fits, else its text cut to fit.
json shown_message(const json& value, std::size_t max_bytes) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    return text.size() <= max_bytes ? value : json(cut_text(text, max_bytes));
  }
  if (shown_size(value, 0, max_bytes) <= max_bytes) return value;
  std::string compact = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return compact.size() <= max_bytes ? compact : cut_text(compact, max_bytes);
}

}  // namespace

json shown_result(const json& result, std::size_t max_message_bytes) {
  if (!result.is_object()) return shown_message(result, max_message_bytes);
  json shown = json::object();
  for (const auto& [name, value] : result.items()) {
    if (!value.is_array()) {
      shown[name] = shown_message(value, max_message_bytes);
      continue;
    }
    json& list = shown[name] = json::array();
    for (const json& entry : value) list.push_back(shown_message(entry, max_message_bytes));
  }
  return shown;
}

json shown_result(const json& result) {
  return shown_result(capped_for_report(result), limit_value(kMaxShownMessageBytes));
}

bool has_runtime_error(const step_report& step) {
  return !step.error.empty() && !step.error_asserted;
}

std::vector<const assertion_outcome*> shown_failures(const step_report& step) {
  bool error_shown = has_runtime_error(step);
  std::vector<const assertion_outcome*> failures;
  for (const auto& outcome : step.assertions) {
    if (outcome.passed || (error_shown && names_error_path(outcome.text))) continue;
    failures.push_back(&outcome);
  }
  return failures;
}

std::string step_heading(const step_report& step) {
  std::string heading = fmt::format("step {}", step.number);
  if (!step.name.empty()) heading += fmt::format(" ({})", step.name);
  if (!step.iteration.empty()) heading += fmt::format(" [{}]", step.iteration);
  if (!step.where.file.empty()) heading += " at " + to_string(step.where);
  return heading;
}

std::string step_problems(const step_report& step, std::string_view indent) {
  std::string out;
  if (has_runtime_error(step)) out += labelled(indent, "error: ", step.error);
  std::string detail_indent = std::string(indent) + "  ";
  for (const assertion_outcome* failure : shown_failures(step)) {
    std::string where = file_and_line(failure->where);
    out += labelled(indent, "",
                    where.empty() ? failure->text : fmt::format("{}   [{}]", failure->text, where));
    if (!failure->expected.empty() || !failure->actual.empty()) {
      out += labelled(detail_indent, "expected: ", failure->expected);
      out += labelled(detail_indent, "actual:   ", failure->actual);
      // The message when it says more than expected/actual (a schema violation).
      bool says_more = failure->actual == "<missing>" ||
                       !std::string_view(failure->message).starts_with("expected ");
      if (says_more && !failure->message.empty())
        out += labelled(detail_indent, "why:      ", failure->message);
    } else if (!failure->message.empty()) {
      out += labelled(detail_indent, "", failure->message);
    }
  }
  return out;
}

std::string step_notes(const step_report& step, std::string_view indent) {
  std::string out;
  if (step.skipped) out += labelled(indent, "skipped: ", step.skip_reason);
  if (step.tries > 1) out += labelled(indent, "tries: ", std::to_string(step.tries));
  for (const std::string& line : step.info) out += labelled(indent, "info: ", line);
  return out;
}

std::size_t& report_array_limit() {
  static std::size_t limit = 100;
  return limit;
}

nlohmann::json capped_for_report(const nlohmann::json& result, std::size_t limit) {
  using nlohmann::json;
  if (!result.is_object() || limit == 0) return result;
  json shown = json::object();
  for (const auto& [key, value] : result.items()) {
    if (!value.is_array() || value.size() <= limit) {
      shown[key] = value;
      continue;
    }
    json& kept = shown[key] = json::array();
    for (std::size_t i = 0; i < limit; ++i) kept.push_back(value[i]);
    kept.push_back(fmt::format("\u2026 and {} more", value.size() - limit));
  }
  return shown;
}

std::string pretty_result(const step_report& step) {
  return shown_result(step.result).dump(2, ' ', false, json::error_handler_t::replace);
}

std::string indent_lines(std::string_view text, std::string_view indent) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out += fmt::format("{}{}\n", indent, text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  if (seconds < 0.9995) return fmt::format("{:.0f} ms", seconds * 1000);
  return fmt::format("{:.2f} s", seconds);
}

std::string format_trace_line(std::chrono::system_clock::time_point when, std::string_view line) {
  using namespace std::chrono;
  std::time_t seconds = system_clock::to_time_t(time_point_cast<system_clock::duration>(
      floor<std::chrono::seconds>(when)));
  auto millis = duration_cast<milliseconds>(when.time_since_epoch()).count() % 1000;
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:02}:{:02}:{:02}.{:03} {}", local.tm_hour, local.tm_min, local.tm_sec,
                     millis, line);
}

}  // namespace mqttest
