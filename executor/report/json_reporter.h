#pragma once

#include <string>
#include <string_view>

#include "executor/engine/report.h"

namespace mqttest {

inline constexpr std::string_view json_file_name = "mqttest-report.json";

/// `mqttest-report.json`: run_to_json, indented.
std::string json_report(const run_report& run);

}  // namespace mqttest
