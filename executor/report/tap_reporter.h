#pragma once

#include <string>
#include <string_view>

#include "executor/engine/report.h"

namespace mqttest {

inline constexpr std::string_view tap_file_name = "mqttest-report.tap";

/// Writes `<output_dir>/mqttest-report.tap`: TAP version 13, one test point
/// per test case ("suite / case"), a YAML diagnostic block under each
/// (status, duration, file:line; for failures the failed assertions with
/// expected and actual, and step errors), `# SKIP` for skipped cases.
class tap_reporter final : public reporter {
 public:
  explicit tap_reporter(const reporter_options& options) : options_(options) {}
  void run_finished(const run_report& run) override;

 private:
  reporter_options options_;
};

std::string tap_report(const run_report& run, int verbosity);

}  // namespace mqttest
