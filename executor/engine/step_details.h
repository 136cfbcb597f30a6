#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "executor/engine/report.h"

namespace mqttest {

/// The step's error counts on its own only when no assertion examined it.
bool has_runtime_error(const step_report& step);

/// Failed assertions worth showing. When the error is shown itself, the
/// (default) assertion on result.error that failed because of it is left out.
std::vector<const assertion_outcome*> shown_failures(const step_report& step);

/// "step 3 (mqtt subscriber) at suite.yml:31:5"
std::string step_heading(const step_report& step);

/// The step's error and failed assertions (expected, actual, file:line),
/// one item per line, every line starting with `indent`.
std::string step_problems(const step_report& step, std::string_view indent);

/// `info:` lines, "skipped: <reason>" and "tries: N" (N > 1), one per line
/// with `indent`; empty when there is none.
std::string step_notes(const step_report& step, std::string_view indent);

/// Reports (console -v, report files, --jobs events) show at most this many
/// entries of each array in a step's result: a step that received 100,000
/// messages shows the first 100 and "… and 99900 more". Assertions, `vars`
/// and templates still see every entry. 0: no limit. Set by `run
/// --report-messages`; default 100.
std::size_t& report_array_limit();

/// The one place reports cap big results: `result` with each top-level array
/// longer than `limit` cut to its first `limit` entries followed by the
/// string "… and N more".
nlohmann::json capped_for_report(const nlohmann::json& result,
                                 std::size_t limit = report_array_limit());

/// The step's result as reports and -v show it. Each value of the result,
/// and each entry of its lists (one per received message: `messages`,
/// `messagesjson`, `details`), that takes more than `max_message_bytes` as
/// shown (indented JSON) becomes its compact JSON text, cut to fit if need
/// be, ending "… N more bytes".
/// Deeply nested payloads would otherwise grow reports with the square of
/// their depth. Assertions, retries and extraction see the whole result.
nlohmann::json shown_result(const nlohmann::json& result, std::size_t max_message_bytes);
/// What every report shows: capped_for_report (the number of entries), then
/// each entry cut at kMaxShownMessageBytes (executor/core/limits.h).
nlohmann::json shown_result(const nlohmann::json& result);

/// The step's shown_result JSON, indented; invalid UTF-8 replaced.
std::string pretty_result(const step_report& step);

/// `text` with `indent` before every line; ends with a newline.
std::string indent_lines(std::string_view text, std::string_view indent);

/// "12 ms" below a second, "1.23 s" from there.
std::string format_duration(double seconds);

/// "HH:MM:SS.mmm <line>" in local time, for -vv MQTT traffic (no newline).
std::string format_trace_line(std::chrono::system_clock::time_point when, std::string_view line);

}  // namespace mqttest
