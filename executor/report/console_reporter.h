#pragma once

#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "executor/engine/report.h"
#include "executor/report/progress_line.h"

namespace mqttest {

/// Streams one line per test case, failure details beneath it, and a closing
/// "N passed, N failed[, N skipped][ (interrupted)]" line that CI can parse.
/// verbosity -1 (-q): only failed test cases, one line each, and the summary;
/// 1 (-v): every step's result; 2 (-vv): also the MQTT traffic (trace()).
/// With options.live_progress (a terminal) a status line shows the running
/// step and its elapsed time; it is erased before anything else is written.
class console_reporter final : public reporter {
 public:
  console_reporter(std::ostream& out, const reporter_options& options);
  ~console_reporter() override;

  void suite_started(const suite_report& suite) override;
  void case_finished(const suite_report& suite, const case_report& c) override;
  void run_finished(const run_report& run) override;

  /// A step is about to run (drives the live progress line).
  void step_started(const std::string& case_name, int number, const std::string& step_name);
  /// One line of MQTT traffic, printed as "    HH:MM:SS.mmm <line>" at -vv.
  /// Thread-safe: Paho's thread reports arrivals.
  void trace(std::string_view line);

 private:
  std::string label(verdict status) const;
  std::string step_details(const step_report& step) const;
  void write(std::string_view text);

  std::ostream& out_;
  reporter_options options_;
  int suites_started_ = 0;
  std::string suite_title_;
  std::mutex mutex_;
  std::unique_ptr<progress_line> progress_;
};

}  // namespace mqttest
