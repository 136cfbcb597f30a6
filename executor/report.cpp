#include "executor/report.h"

namespace mqttest {

bool step_report::passed() const {
  for (const auto& outcome : assertions)
    if (!outcome.passed) return false;
  return error.empty() || error_asserted;
}

run_totals run_report::totals() const {
  run_totals totals;
  for (const auto& s : suites) {
    for (const auto& c : s.cases) {
      switch (c.status) {
        case verdict::passed: ++totals.passed; break;
        case verdict::failed: ++totals.failed; break;
        case verdict::skipped: ++totals.skipped; break;
      }
    }
  }
  return totals;
}

}  // namespace mqttest
