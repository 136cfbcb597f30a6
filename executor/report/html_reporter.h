#pragma once

#include <string>
#include <string_view>

#include "executor/engine/report.h"

namespace mqttest {

inline constexpr std::string_view html_file_name = "mqttest-report.html";

/// `mqttest-report.html`: one self-contained page (inline CSS and script, no
/// external assets): the totals at the top, a section per suite, each test
/// case a <details> (failed ones open) listing its steps with their
/// assertions (failed ones highlighted), errors, and the step result as
/// indented JSON (received messages included).
std::string html_report(const run_report& run);

/// `text` with &, <, >, " and ' escaped; invalid UTF-8 replaced.
std::string html_escape(std::string_view text);

}  // namespace mqttest
