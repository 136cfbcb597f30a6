#pragma once

#include <ostream>

#include "executor/report.h"

namespace mqttest {

/// Streams one line per test case, failure details beneath it, and a closing
/// "N passed, N failed[, N skipped][ (interrupted)]" line that CI can parse.
class console_reporter final : public reporter {
 public:
  console_reporter(std::ostream& out, const reporter_options& options);

  void suite_started(const suite_report& suite) override;
  void case_finished(const suite_report& suite, const case_report& c) override;
  void run_finished(const run_report& run) override;

 private:
  std::string label(verdict status) const;
  std::string step_details(const step_report& step) const;

  std::ostream& out_;
  reporter_options options_;
  int suites_started_ = 0;
};

}  // namespace mqttest
