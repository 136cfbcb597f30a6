#include "executor/report.h"

#include <ctime>

namespace mqttest {

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

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
