#include "executor/engine/events.h"

#include <exception>

namespace mqttest {

void multi_reporter::run_started(const run_info& run) {
  for (reporter* r : reporters_) r->run_started(run);
}
void multi_reporter::suite_started(const suite_info& suite) {
  for (reporter* r : reporters_) r->suite_started(suite);
}
void multi_reporter::case_started(const case_info& c) {
  for (reporter* r : reporters_) r->case_started(c);
}
void multi_reporter::step_started(const step_info& step) {
  for (reporter* r : reporters_) r->step_started(step);
}
void multi_reporter::trace(const trace_line& line) {
  for (reporter* r : reporters_) r->trace(line);
}
void multi_reporter::step_finished(const step_report& step) {
  for (reporter* r : reporters_) r->step_finished(step);
}
void multi_reporter::case_finished(const case_report& c) {
  for (reporter* r : reporters_) r->case_finished(c);
}
void multi_reporter::suite_finished(const suite_stats& suite) {
  for (reporter* r : reporters_) r->suite_finished(suite);
}
void multi_reporter::run_finished(const run_stats& run) {
  for (reporter* r : reporters_) {
    try {
      r->run_finished(run);
    } catch (const std::exception& e) {
      failures_.push_back(e.what());
    }
  }
}

suite_stats stats_of(const suite_report& suite) {
  return {suite.name, suite.file, suite.seconds, suite.totals()};
}

run_stats stats_of(const run_report& run) {
  return {run.started_at, run.seconds, run.interrupted, run.totals()};
}

void replay(const run_report& run, reporter& target) {
  target.run_started({run.started_at});
  for (const suite_report& suite : run.suites) {
    target.suite_started({suite.name, suite.file});
    for (const case_report& c : suite.cases) {
      target.case_started({c.name, c.where});
      for (const step_report& step : c.steps) target.step_finished(step);
      target.case_finished(c);
    }
    target.suite_finished(stats_of(suite));
  }
  target.run_finished(stats_of(run));
}

}  // namespace mqttest
