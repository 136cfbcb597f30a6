#pragma once

#include <nlohmann/json.hpp>

#include "executor/engine/report.h"

namespace mqttest {

/// The whole run as data (schemas/report.schema.json): the JSON and YAML
/// reports, and how a `--jobs` child hands its run to the parent.
nlohmann::json run_to_json(const run_report& run);

/// The inverse of run_to_json (derived fields such as totals are ignored).
/// Throws nlohmann::json::exception for a document of another shape.
run_report run_from_json(const nlohmann::json& data);

std::string_view to_string(verdict v);

}  // namespace mqttest
