#include "executor/reporters/console_reporter.h"

#include <fmt/format.h>

#include "executor/reporters/step_details.h"

namespace mqttest {
namespace {

constexpr std::string_view step_indent = "        ";
constexpr std::string_view detail_indent = "          ";

std::string plural(int count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

std::string summary(const run_report& run) {
  run_totals totals = run.totals();
  std::string line = fmt::format("{} passed, {} failed", totals.passed, totals.failed);
  if (totals.skipped > 0) line += fmt::format(", {} skipped", totals.skipped);
  if (run.interrupted) line += " (interrupted)";
  return line;
}

}  // namespace

console_reporter::console_reporter(std::ostream& out, const reporter_options& options)
    : out_(out), options_(options) {}

std::string console_reporter::label(verdict status) const {
  struct style {
    std::string_view text, color;
  };
  style s = status == verdict::passed   ? style{"PASS", "\x1b[32m"}
            : status == verdict::failed ? style{"FAIL", "\x1b[31m"}
                                        : style{"SKIP", "\x1b[33m"};
  if (!options_.color) return std::string(s.text);
  return fmt::format("{}{}\x1b[0m", s.color, s.text);
}

std::string console_reporter::step_details(const step_report& step) const {
  std::string problems = step_problems(step, detail_indent);
  bool verbose = options_.verbosity >= 1;
  if (problems.empty() && !verbose) return {};
  std::string out = fmt::format("{}{}\n", step_indent, step_heading(step));
  if (verbose) out += indent_lines(pretty_result(step), detail_indent);
  return out + problems;
}

void console_reporter::suite_started(const suite_report& suite) {
  if (suites_started_++ > 0) out_ << "\n";
  if (suite.name.empty()) {
    out_ << suite.file << "\n";
  } else {
    out_ << fmt::format("{} ({})\n", suite.name, suite.file);
  }
  out_.flush();
}

void console_reporter::case_finished(const suite_report& /*suite*/, const case_report& c) {
  std::string text = fmt::format("  {}  {}", label(c.status), c.name);
  if (c.status == verdict::skipped) {
    if (!c.skip_reason.empty()) text += fmt::format("  ({})", c.skip_reason);
  } else {
    text += fmt::format("  ({})", format_duration(c.seconds));
  }
  text += "\n";
  for (const step_report& step : c.steps) text += step_details(step);
  out_ << text;
  out_.flush();
}

void console_reporter::run_finished(const run_report& run) {
  int cases = 0;
  for (const suite_report& suite : run.suites) cases += static_cast<int>(suite.cases.size());
  out_ << fmt::format("\nran {} in {:.2f} s\n{}\n", plural(cases, "test case"), run.seconds,
                      summary(run));
  out_.flush();
}

}  // namespace mqttest
