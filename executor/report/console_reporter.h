#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "executor/engine/events.h"
#include "executor/engine/report.h"
#include "executor/report/progress_line.h"

namespace mqttest {

/// Streams one line per test case, failure details beneath it, and a closing
/// "N passed, N failed[, N skipped][ (interrupted)]" line that CI can parse.
/// verbosity -1 (-q): only failed test cases, one line each, and the summary;
/// 1 (-v): every step's result; 2 (-vv): also the MQTT traffic (trace events,
/// "    HH:MM:SS.mmm <line>"). With options.live_progress (a terminal) a
/// status line shows the running step (step_started) and its elapsed time;
/// it is erased before anything else is written.
class console_reporter final : public reporter {
 public:
  console_reporter(std::ostream& out, const reporter_options& options);
  ~console_reporter() override;

  void suite_started(const suite_info& suite) override;
  void case_started(const case_info& c) override;
  void step_started(const step_info& step) override;
  void trace(const trace_line& line) override;
  void case_finished(const case_report& c) override;
  void run_finished(const run_stats& run) override;

 private:
  std::string label(verdict status) const;
  std::string step_details(const step_report& step) const;
  void write(std::string_view text);

  std::ostream& out_;
  reporter_options options_;
  int suites_started_ = 0;
  std::string suite_title_;  ///< the suite's name, or its file
  std::string suite_file_;
  std::string case_name_;
  std::unique_ptr<progress_line> progress_;
};

}  // namespace mqttest
