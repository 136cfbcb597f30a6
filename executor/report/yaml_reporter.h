#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "executor/engine/report.h"

namespace mqttest {

inline constexpr std::string_view yaml_file_name = "mqttest-report.yaml";

/// `mqttest-report.yaml`: the same data as the JSON report, every string
/// double-quoted so YAML never retypes it.
std::string yaml_report(const run_report& run);

/// `value` as a YAML block document (strings double-quoted).
std::string to_yaml(const nlohmann::json& value);

}  // namespace mqttest
