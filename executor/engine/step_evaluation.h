#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "executor/assert/assertions.h"
#include "executor/engine/report.h"
#include "steps/step.h"

namespace mqttest {

/// How a step's result is judged: its assertions, or `fallback` (the kind's
/// default assertion) when it has none; `expand` fills templates in their
/// texts (the identity for the command line).
struct step_checks {
  const std::vector<assertion>& assertions;
  std::string_view fallback = "result.error ShouldBeEmpty";
  position where;
  text_expander expand;
};

/// The one evaluation of a step result, shared by `mqttest run` and by
/// pub/sub/queue: records the result and its error, evaluates the checks,
/// and notes whether one examines result.error (then a step error is what the
/// suite tests, not a failure of its own). `report.number`, `name` and timing
/// are the caller's.
void judge_result(step_report& report, nlohmann::json result, const step_checks& checks);

/// Runs a built step and judges its result (`timeseconds` from the result).
step_report evaluate_step(step& runnable, const step_context& context, const step_checks& checks);

/// A result that holds only an error (Venom's `err` too).
nlohmann::json error_result(const std::string& message);

}  // namespace mqttest
