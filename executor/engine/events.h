#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "executor/core/position.h"
#include "executor/engine/report.h"

namespace mqttest {

struct run_info {
  std::string started_at;  ///< ISO 8601 UTC
};

struct suite_info {
  std::string name;
  std::string file;
};

struct case_info {
  std::string name;
  position where;
};

struct step_info {
  int number = 0;    ///< 1-based within the test case
  std::string name;  ///< step name, or "<type> <clientType>"
  position where;
};

/// One line of MQTT traffic (-vv), stamped when the step traced it.
struct trace_line {
  std::chrono::system_clock::time_point when;
  std::string text;
};

struct suite_stats {
  std::string name;
  std::string file;
  double seconds = 0;
  run_totals totals;
};

struct run_stats {
  std::string started_at;
  double seconds = 0;
  bool interrupted = false;
  run_totals totals;
};

/// The events of a run, in this order (after Catch2's IEventListener):
///   run_started
///     suite_started                      for each suite that runs
///       case_started                     for each test case
///         step_started                   before each step of the test case
///           trace*                       -vv: MQTT traffic of the step
///         step_finished+                 one per step report (a `range` step has several)
///       case_finished                    with every step report of the case
///     suite_finished
///   run_finished
/// A skipped test case is case_started + case_finished with verdict::skipped;
/// a skipped step is step_started + step_finished with step_report::skipped.
/// A step_finished without step_started is a problem found before any step
/// ran (test case vars that do not expand). Every text is already masked
/// (secrets). Events reach a reporter one at a time, never concurrently
/// (run_suites serialises traces from a step's own threads).
class reporter {
 public:
  virtual ~reporter() = default;
  virtual void run_started(const run_info& /*run*/) {}
  virtual void suite_started(const suite_info& /*suite*/) {}
  virtual void case_started(const case_info& /*c*/) {}
  virtual void step_started(const step_info& /*step*/) {}
  virtual void trace(const trace_line& /*line*/) {}
  virtual void step_finished(const step_report& /*step*/) {}
  virtual void case_finished(const case_report& /*c*/) {}
  virtual void suite_finished(const suite_stats& /*suite*/) {}
  virtual void run_finished(const run_stats& /*run*/) {}
};

/// Hands every event to each of its reporters, in the order they were added.
/// At run_finished a reporter that throws (a report file that cannot be
/// written) does not keep the others from finishing: its error is kept in
/// failures() instead, for the caller to report after the run.
class multi_reporter final : public reporter {
 public:
  void add(reporter& r) { reporters_.push_back(&r); }

  /// The errors of reporters that could not finish, in the order they were added.
  const std::vector<std::string>& failures() const { return failures_; }

  void run_started(const run_info& run) override;
  void suite_started(const suite_info& suite) override;
  void case_started(const case_info& c) override;
  void step_started(const step_info& step) override;
  void trace(const trace_line& line) override;
  void step_finished(const step_report& step) override;
  void case_finished(const case_report& c) override;
  void suite_finished(const suite_stats& suite) override;
  void run_finished(const run_stats& run) override;

 private:
  std::vector<reporter*> reporters_;
  std::vector<std::string> failures_;
};

suite_stats stats_of(const suite_report& suite);
run_stats stats_of(const run_report& run);

/// Replays a finished run as events (what run_suites would have emitted,
/// without step_started and trace).
void replay(const run_report& run, reporter& target);

}  // namespace mqttest
