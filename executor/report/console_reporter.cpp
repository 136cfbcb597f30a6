#include "executor/report/console_reporter.h"

#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "executor/engine/step_details.h"

namespace mqttest {
namespace {

constexpr std::string_view step_indent = "        ";
constexpr std::string_view detail_indent = "          ";
constexpr std::string_view trace_indent = "    ";

std::string plural(int count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

std::string summary(const run_stats& run) {
  const run_totals& totals = run.totals;
  std::string line = fmt::format("{} passed, {} failed", totals.passed, totals.failed);
  if (totals.skipped > 0) line += fmt::format(", {} skipped", totals.skipped);
  if (run.interrupted) line += " (interrupted)";
  return line;
}

std::string suite_title(const suite_info& suite) {
  if (suite.name.empty()) return suite.file;
  return fmt::format("{} ({})", suite.name, suite.file);
}

}  // namespace

console_reporter::console_reporter(std::ostream& out, const reporter_options& options)
    : out_(out), options_(options) {
  if (options_.live_progress)
    progress_ = std::make_unique<progress_line>(out_, terminal_width(STDOUT_FILENO));
}

console_reporter::~console_reporter() = default;

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
  std::string notes = options_.verbosity >= 0 ? step_notes(step, detail_indent) : "";
  if (problems.empty() && notes.empty() && !verbose) return {};
  std::string out = fmt::format("{}{}\n", step_indent, step_heading(step));
  if (verbose) out += indent_lines(pretty_result(step), detail_indent);
  return out + notes + problems;
}

void console_reporter::write(std::string_view text) {
  if (progress_) {
    progress_->print(text);
  } else {
    out_ << text;
    out_.flush();
  }
}

void console_reporter::suite_started(const suite_info& suite) {
  suite_title_ = suite.name.empty() ? suite.file : suite.name;
  suite_file_ = suite.file;
  if (options_.verbosity < 0) return;
  write(fmt::format("{}{}\n", suites_started_++ > 0 ? "\n" : "", suite_title(suite)));
}

void console_reporter::case_started(const case_info& c) { case_name_ = c.name; }

void console_reporter::step_started(const step_info& step) {
  if (!progress_) return;
  progress_->show(
      fmt::format("{} > {} > step {} ({})", suite_title_, case_name_, step.number, step.name));
}

void console_reporter::trace(const trace_line& line) {
  if (options_.verbosity < 2) return;
  write(fmt::format("{}{}\n", trace_indent, format_trace_line(line.when, line.text)));
}

void console_reporter::case_finished(const case_report& c) {
  if (progress_) progress_->hide();
  if (options_.verbosity < 0) {
    if (c.status == verdict::failed)
      write(fmt::format("{}  {}: {}  ({})\n", label(c.status), suite_file_, c.name,
                        format_duration(c.seconds)));
    return;
  }
  std::string text = fmt::format("  {}  {}", label(c.status), c.name);
  if (c.status == verdict::skipped) {
    if (!c.skip_reason.empty()) text += fmt::format("  ({})", c.skip_reason);
  } else {
    text += fmt::format("  ({})", format_duration(c.seconds));
  }
  text += "\n";
  for (const step_report& step : c.steps) text += step_details(step);
  write(text);
}

void console_reporter::run_finished(const run_stats& run) {
  progress_.reset();
  int cases = run.totals.passed + run.totals.failed + run.totals.skipped;
  write(fmt::format("{}ran {} in {:.2f} s\n{}\n", options_.verbosity < 0 ? "" : "\n",
                    plural(cases, "test case"), run.seconds, summary(run)));
}

}  // namespace mqttest
