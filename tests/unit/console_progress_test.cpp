// The console reporter's -q, -vv trace lines and the live progress line.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <re2/re2.h>

#include <chrono>
#include <sstream>
#include <string>

#include "executor/engine/events.h"
#include "executor/engine/report.h"
#include "executor/engine/step_details.h"
#include "executor/report/console_reporter.h"
#include "executor/report/progress_line.h"

using namespace mqttest;

namespace {

run_report two_cases() {
  run_report run;
  run.seconds = 0.5;
  suite_report& suite = run.suites.emplace_back();
  suite.name = "s";
  suite.file = "s.yml";
  case_report& ok = suite.cases.emplace_back();
  ok.name = "ok";
  ok.seconds = 0.012;
  case_report& bad = suite.cases.emplace_back();
  bad.name = "bad";
  bad.status = verdict::failed;
  bad.seconds = 0.3;
  step_report& step = bad.steps.emplace_back();
  step.number = 1;
  step.name = "mqtt subscriber";
  step.error = "received 0 of 1 messages on [a] within 300 ms";
  return run;
}

/// The events run_suites emits for `run`, step_started included.
void feed(reporter& r, const run_report& run) {
  r.run_started({run.started_at});
  for (const suite_report& suite : run.suites) {
    r.suite_started({suite.name, suite.file});
    for (const case_report& c : suite.cases) {
      r.case_started({c.name, c.where});
      for (const step_report& step : c.steps) {
        r.step_started({step.number, step.name, step.where});
        r.step_finished(step);
      }
      r.case_finished(c);
    }
    r.suite_finished(stats_of(suite));
  }
  r.run_finished(stats_of(run));
}

}  // namespace

TEST_CASE("format_trace_line: HH:MM:SS.mmm in local time, then the line") {
  auto when = std::chrono::system_clock::now();
  std::string line = format_trace_line(when, "> CONNECT tcp://x");
  CHECK(RE2::FullMatch(line, R"(\d\d:\d\d:\d\d\.\d\d\d > CONNECT tcp://x)"));
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()) % 1000;
  CHECK(line.substr(9, 3) == fmt::format("{:03}", millis.count()));
}

TEST_CASE("console -q: only failed test cases and the summary") {
  std::ostringstream out;
  reporter_options options;
  options.verbosity = -1;
  console_reporter r(out, options);
  feed(r, two_cases());
  CHECK(out.str() == "FAIL  s.yml: bad  (300 ms)\nran 2 test cases in 0.50 s\n1 passed, 1 failed\n");
}

TEST_CASE("console trace lines only at -vv, indented and timestamped") {
  for (int verbosity : {0, 1, 2}) {
    CAPTURE(verbosity);
    std::ostringstream out;
    reporter_options options;
    options.verbosity = verbosity;
    console_reporter r(out, options);
    r.trace({std::chrono::system_clock::now(), "< SUBACK [1]"});
    bool traced = RE2::FullMatch(out.str(), R"(    \d\d:\d\d:\d\d\.\d\d\d < SUBACK \[1\]\n)");
    CHECK(traced == (verbosity == 2));
    if (verbosity < 2) CHECK(out.str().empty());
  }
}

TEST_CASE("off a terminal: no progress line, no control characters") {
  std::ostringstream out;
  console_reporter r(out, reporter_options{});
  feed(r, two_cases());
  CHECK(out.str().find('\r') == std::string::npos);
  CHECK(out.str().find('\x1b') == std::string::npos);
}

TEST_CASE("on a terminal: the progress line shows suite, case, step, elapsed and is erased") {
  std::ostringstream out;
  reporter_options options;
  options.live_progress = true;
  console_reporter r(out, options);
  feed(r, two_cases());
  std::string text = out.str();
  CHECK(RE2::PartialMatch(text, R"(\r\x1b\[2K +\d+\.\d s  s > bad > step 1 \(mqtt subscriber\))"));
  // Every case line starts on an erased line, and the summary ends clean.
  CHECK(text.find("\r\x1b[2K  FAIL  bad  (300 ms)\n") != std::string::npos);
  std::string tail = "\nran 2 test cases in 0.50 s\n1 passed, 1 failed\n";
  CHECK(text.size() > tail.size());
  CHECK(text.compare(text.size() - tail.size(), tail.size(), tail) == 0);
  // Without the escapes, the output is what it is off a terminal.
  std::string plain = text;
  RE2::GlobalReplace(&plain, R"(\r\x1b\[2K( +\d+\.\d s  s > [^\r\n]*)?)", "");
  std::ostringstream reference;
  console_reporter off(reference, reporter_options{});
  feed(off, two_cases());
  CHECK(plain == reference.str());
}

TEST_CASE("progress_line: redraws while idle, cuts to the width, erases on hide") {
  std::ostringstream out;
  {
    progress_line line(out, 20);
    line.show("long status text that does not fit");
    line.print("x\n");
    line.hide();
  }
  std::string text = out.str();
  CHECK(text.find("status text") == std::string::npos);  // cut to 19 columns
  CHECK(text.find("\r\x1b[2K  0.0 s  long statu\r\x1b[2Kx\n") != std::string::npos);
  CHECK(text.size() >= 2);
  CHECK(text.substr(text.size() - 5) == "\r\x1b[2K");
}
