#include "executor/report/cumulative_reporter.h"

#include <filesystem>

#include "executor/core/atomic_file.h"

namespace mqttest {

void cumulative_reporter::run_started(const run_info& run) {
  run_ = run_report{};
  run_.started_at = run.started_at;
}

void cumulative_reporter::suite_started(const suite_info& suite) {
  suite_report& added = run_.suites.emplace_back();
  added.name = suite.name;
  added.file = suite.file;
}

void cumulative_reporter::case_finished(const case_report& c) {
  if (run_.suites.empty()) run_.suites.emplace_back();
  run_.suites.back().cases.push_back(c);
}

void cumulative_reporter::suite_finished(const suite_stats& suite) {
  if (!run_.suites.empty()) run_.suites.back().seconds = suite.seconds;
}

void cumulative_reporter::run_finished(const run_stats& run) {
  run_.started_at = run.started_at;
  run_.seconds = run.seconds;
  run_.interrupted = run.interrupted;
  run_ended(run_);
}

void file_reporter::run_ended(const run_report& run) {
  write_file_atomically((std::filesystem::path(options_.output_dir) / format_.file_name).string(),
                        format_.render(run, options_));
}

}  // namespace mqttest
