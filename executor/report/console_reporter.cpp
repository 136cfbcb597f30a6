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

std::string summary(const run_report& run) {
  run_totals totals = run.totals();
  std::string line = fmt::format("{} passed, {} failed", totals.passed, totals.failed);
  if (totals.skipped > 0) line += fmt::format(", {} skipped", totals.skipped);
  if (run.interrupted) line += " (interrupted)";
  return line;
}

std::string suite_title(const suite_report& suite) {
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
  std::lock_guard lock(mutex_);
  if (progress_) {
    progress_->print(text);
  } else {
    out_ << text;
    out_.flush();
  }
}

void console_reporter::suite_started(const suite_report& suite) {
  suite_title_ = suite.name.empty() ? suite.file : suite.name;
  if (options_.verbosity < 0) return;
  write(fmt::format("{}{}\n", suites_started_++ > 0 ? "\n" : "", suite_title(suite)));
}

void console_reporter::step_started(const std::string& case_name, int number,
                                    const std::string& step_name) {
  if (!progress_) return;
  progress_->show(fmt::format("{} > {} > step {} ({})", suite_title_, case_name, number, step_name));
}

void console_reporter::trace(std::string_view line) {
  if (options_.verbosity < 2) return;
  write(fmt::format("{}{}\n", trace_indent,
                    format_trace_line(std::chrono::system_clock::now(), line)));
}

void console_reporter::case_finished(const suite_report& suite, const case_report& c) {
  if (progress_) progress_->hide();
  if (options_.verbosity < 0) {
    if (c.status == verdict::failed)
      write(fmt::format("{}  {}: {}  ({})\n", label(c.status), suite.file, c.name,
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

void console_reporter::run_finished(const run_report& run) {
  {
    std::lock_guard lock(mutex_);
    progress_.reset();
  }
  int cases = 0;
  for (const suite_report& suite : run.suites) cases += static_cast<int>(suite.cases.size());
  write(fmt::format("{}ran {} in {:.2f} s\n{}\n", options_.verbosity < 0 ? "" : "\n",
                    plural(cases, "test case"), run.seconds, summary(run)));
}

}  // namespace mqttest
