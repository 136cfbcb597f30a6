#include "executor/engine/step_evaluation.h"

namespace mqttest {

using nlohmann::json;

json error_result(const std::string& message) { return json{{"error", message}, {"err", message}}; }

void judge_result(step_report& report, json result, const step_checks& checks) {
  const json* error =
      result.is_object() && result.contains("error") ? &result["error"] : nullptr;
  report.error = error == nullptr || error->is_null() ? ""
                 : error->is_string()                 ? error->get<std::string>()
                                                      : error->dump();
  // The assertions see {"result": ...}; the result moves in and back out
  // (a step that received 100,000 messages is not copied).
  json data = json::object();
  json& inner = data["result"] = std::move(result);
  if (checks.assertions.empty()) {
    assertion fallback = parse_assertion_text(std::string(checks.fallback), checks.where);
    report.assertions.push_back(evaluate(fallback, data, checks.expand));
  } else {  // the default assertion does not count: the error shows itself
    for (const assertion& a : checks.assertions) {
      report.error_asserted |= examines_error(a);
      report.assertions.push_back(evaluate(a, data, checks.expand));
    }
  }
  report.result = std::move(inner);
}

step_report evaluate_step(step& runnable, const step_context& context, const step_checks& checks) {
  step_report report;
  report.number = 1;
  report.where = checks.where;
  judge_result(report, runnable.run(context), checks);
  report.seconds = report.result.value("timeseconds", 0.0);
  return report;
}

}  // namespace mqttest
