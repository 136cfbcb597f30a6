#pragma once

#include "executor/engine/events.h"
#include "executor/engine/report.h"

namespace mqttest {

/// Builds the run tree from events (after Catch2's CumulativeReporterBase):
/// after run_finished, run() is the run_report that run_suites returned for
/// the same events. Derived reporters render it in run_ended().
class cumulative_reporter : public reporter {
 public:
  void run_started(const run_info& run) override;
  void suite_started(const suite_info& suite) override;
  void case_finished(const case_report& c) override;
  void suite_finished(const suite_stats& suite) override;
  void run_finished(const run_stats& run) override;

  const run_report& run() const { return run_; }

 protected:
  /// The whole run, once run_finished arrived.
  virtual void run_ended(const run_report& /*run*/) {}

 private:
  run_report run_;
};

/// A report file: its --format name, its file name in --output-dir, and how
/// the run becomes its text.
struct file_format {
  std::string_view name;
  std::string_view file_name;
  std::string (*render)(const run_report& run, const reporter_options& options);
};

/// Collects the run; at its end renders it and writes the file atomically
/// (temp file + rename), failed or interrupted runs included. Throws
/// std::runtime_error when the file cannot be written.
class file_reporter final : public cumulative_reporter {
 public:
  file_reporter(const file_format& format, const reporter_options& options)
      : format_(format), options_(options) {}

 protected:
  void run_ended(const run_report& run) override;

 private:
  file_format format_;
  reporter_options options_;
};

}  // namespace mqttest
