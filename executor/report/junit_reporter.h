#pragma once

#include <ostream>
#include <string_view>

#include "executor/engine/report.h"

namespace mqttest {

inline constexpr std::string_view junit_file_name = "mqttest-junit.xml";

/// Writes `<output_dir>/mqttest-junit.xml` (Ant's JUnit format) at the end of
/// the run, failed or interrupted included. Throws std::runtime_error when the
/// file cannot be written.
class junit_reporter final : public reporter {
 public:
  explicit junit_reporter(const reporter_options& options);

  void run_finished(const run_report& run) override;

 private:
  reporter_options options_;
};

/// The JUnit document for `run`; `hostname` goes into every testsuite.
std::string junit_xml(const run_report& run, int verbosity, const std::string& hostname);

}  // namespace mqttest
