#include "executor/engine/report.h"

namespace mqttest {

bool step_report::passed() const {
  for (const auto& outcome : assertions)
    if (!outcome.passed) return false;
  return error.empty() || error_asserted;
}

run_totals suite_report::totals() const {
  run_totals totals;
  for (const auto& c : cases) {
    switch (c.status) {
      case verdict::passed: ++totals.passed; break;
      case verdict::failed: ++totals.failed; break;
      case verdict::skipped: ++totals.skipped; break;
    }
  }
  return totals;
}

run_totals run_report::totals() const {
  run_totals totals;
  for (const auto& s : suites) {
    run_totals one = s.totals();
    totals.passed += one.passed;
    totals.failed += one.failed;
    totals.skipped += one.skipped;
  }
  return totals;
}

void mask_report(const secret_mask& mask, step_report& step) {
  if (mask.empty()) return;
  step.name = mask.apply(step.name);
  step.result = mask.apply(step.result);
  step.error = mask.apply(step.error);
  step.skip_reason = mask.apply(step.skip_reason);
  step.iteration = mask.apply(step.iteration);
  for (std::string& line : step.info) line = mask.apply(line);
  for (assertion_outcome& outcome : step.assertions) {
    outcome.text = mask.apply(outcome.text);
    outcome.expected = mask.apply(outcome.expected);
    outcome.actual = mask.apply(outcome.actual);
    outcome.message = mask.apply(outcome.message);
  }
}

void mask_report(const secret_mask& mask, case_report& c) {
  if (mask.empty()) return;
  c.name = mask.apply(c.name);
  c.skip_reason = mask.apply(c.skip_reason);
  for (step_report& step : c.steps) mask_report(mask, step);
}

}  // namespace mqttest
