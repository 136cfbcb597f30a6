#pragma once

#include <string>
#include <string_view>

#include "executor/engine/report.h"

namespace mqttest {

inline constexpr std::string_view tap_file_name = "mqttest-report.tap";

/// `mqttest-report.tap`: TAP version 13, one test point per test case
/// ("suite / case"), a YAML diagnostic block under each (status, duration,
/// file:line; for failures the failed assertions with expected and actual,
/// and step errors), `# SKIP` for skipped cases.
std::string tap_report(const run_report& run, int verbosity);

}  // namespace mqttest
