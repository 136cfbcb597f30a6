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

/// The parts of run_to_json / run_from_json (also the --jobs event stream's).
nlohmann::json position_to_json(const position& where);
position position_from_json(const nlohmann::json& data);
nlohmann::json totals_to_json(const run_totals& totals);
nlohmann::json step_to_json(const step_report& step);
step_report step_from_json(const nlohmann::json& data);
nlohmann::json case_to_json(const case_report& c);
case_report case_from_json(const nlohmann::json& data);
verdict verdict_from_json(const std::string& text);

}  // namespace mqttest
