#include "executor/report/junit_reporter.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <pugixml.hpp>
#include <sstream>

#include "executor/core/time.h"
#include "executor/engine/step_details.h"

namespace mqttest {
namespace {

/// Replaces what XML 1.0 cannot hold (control characters, invalid UTF-8)
/// with U+FFFD.
std::string xml_safe(std::string_view text) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80           ? 1
                         : (byte >> 5) == 0x6  ? 2
                         : (byte >> 4) == 0xE  ? 3
                         : (byte >> 3) == 0x1E ? 4
                                               : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (valid && length == 1) valid = byte >= 0x20 || byte == '\t' || byte == '\n' || byte == '\r';
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += replacement;
      ++i;
    }
  }
  return out;
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  });
}

std::string decimal(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  return fmt::format("{:.3f}", seconds);
}

/// The suite's name; the schema wants a non-blank one.
std::string suite_name(const suite_report& suite) {
  if (!is_blank(suite.name)) return suite.name;
  std::string stem = std::filesystem::path(suite.file).stem().string();
  return is_blank(stem) ? "unnamed" : stem;
}

/// `started_at` (ISO 8601 UTC) plus `offset` seconds, without a zone, as the
/// schema wants; the current time when `started_at` cannot be read.
std::string timestamp(const std::string& started_at, double offset) {
  auto start = parse_rfc3339(started_at);
  std::int64_t seconds = start ? start->at.seconds : std::time(nullptr);
  if (std::isfinite(offset) && offset > 0) seconds += static_cast<std::int64_t>(offset);
  return format_utc(seconds, false);
}

bool has_error(const case_report& c) {
  return std::any_of(c.steps.begin(), c.steps.end(), has_runtime_error);
}

std::string failure_text(const case_report& c) {
  std::string text;
  for (const step_report& step : c.steps) {
    std::string problems = step_problems(step, "  ");
    if (!problems.empty()) text += step_heading(step) + "\n" + problems;
  }
  return text;
}

std::string failure_message(const case_report& c) {
  std::vector<const assertion_outcome*> failures;
  for (const step_report& step : c.steps)
    for (const assertion_outcome* f : shown_failures(step)) failures.push_back(f);
  if (failures.empty()) return "test case failed";
  std::string message = failures.front()->text;
  if (!failures.front()->expected.empty() || !failures.front()->actual.empty())
    message += fmt::format(": expected {}, actual {}", failures.front()->expected,
                           failures.front()->actual);
  if (failures.size() > 1) message += fmt::format(" (and {} more)", failures.size() - 1);
  return message;
}

std::string error_message(const case_report& c) {
  for (const step_report& step : c.steps)
    if (has_runtime_error(step)) return fmt::format("step {}: {}", step.number, step.error);
  return {};
}

struct suite_context {
  std::string started_at;
  double offset = 0;  ///< seconds between the run's start and the suite's
  std::string hostname;
  int verbosity = 0;
  bool interrupted = false;  ///< the run was interrupted during this suite
};

/// The one child of <testcase>: skipped, error (wins) or failure.
void add_outcome(pugi::xml_node testcase, const case_report& c, bool cut_short) {
  auto add = [&](const char* element, const std::string& message, const char* type,
                 const std::string& text) {
    pugi::xml_node node = testcase.append_child(element);
    node.append_attribute("message") = xml_safe(message).c_str();
    if (type != nullptr) node.append_attribute("type") = type;
    if (!text.empty()) node.text() = xml_safe(text).c_str();
  };
  if (c.status == verdict::skipped) {
    add("skipped", c.skip_reason, nullptr, {});
  } else if (c.status != verdict::failed) {
    return;
  } else if (has_error(c)) {
    add("error", error_message(c), "step", failure_text(c));
  } else if (cut_short && failure_text(c).empty()) {
    add("error", "run interrupted before the test case finished", "interrupted", {});
  } else {
    add("failure", failure_message(c), "assertion", failure_text(c));
  }
}

bool counts_as_error(const case_report& c, bool cut_short) {
  return c.status == verdict::failed && (has_error(c) || (cut_short && failure_text(c).empty()));
}

std::string step_results(const case_report& c) {
  std::string out;
  for (const step_report& step : c.steps)
    out += fmt::format("{} / {}\n{}\n", c.name, step_heading(step), pretty_result(step));
  return out;
}

void add_suite(pugi::xml_node parent, const suite_report& suite, int id,
               const suite_context& context) {
  std::string name = xml_safe(suite_name(suite));
  auto cut_short = [&](std::size_t i) {
    return context.interrupted && i + 1 == suite.cases.size();
  };
  int failures = 0, errors = 0, skipped = 0;
  for (std::size_t i = 0; i < suite.cases.size(); ++i) {
    const case_report& c = suite.cases[i];
    if (c.status == verdict::skipped) ++skipped;
    if (c.status == verdict::failed) ++(counts_as_error(c, cut_short(i)) ? errors : failures);
  }
  pugi::xml_node node = parent.append_child("testsuite");
  node.append_attribute("name") = name.c_str();
  node.append_attribute("tests") = static_cast<int>(suite.cases.size());
  node.append_attribute("failures") = failures;
  node.append_attribute("errors") = errors;
  node.append_attribute("skipped") = skipped;
  node.append_attribute("time") = decimal(suite.seconds).c_str();
  node.append_attribute("timestamp") = timestamp(context.started_at, context.offset).c_str();
  node.append_attribute("hostname") = xml_safe(context.hostname).c_str();
  node.append_attribute("id") = id;
  node.append_attribute("package") = xml_safe(suite.file).c_str();

  pugi::xml_node property = node.append_child("properties").append_child("property");
  property.append_attribute("name") = "file";
  property.append_attribute("value") = xml_safe(suite.file).c_str();

  std::string out;
  for (std::size_t i = 0; i < suite.cases.size(); ++i) {
    const case_report& c = suite.cases[i];
    pugi::xml_node testcase = node.append_child("testcase");
    testcase.append_attribute("name") = xml_safe(c.name).c_str();
    testcase.append_attribute("classname") = name.c_str();
    testcase.append_attribute("time") = decimal(c.seconds).c_str();
    add_outcome(testcase, c, cut_short(i));
    if (context.verbosity >= 1) out += step_results(c);
  }
  node.append_child("system-out").text() = xml_safe(out).c_str();
  node.append_child("system-err").text() = context.interrupted ? "run interrupted\n" : "";
}

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0 || is_blank(name)) return "localhost";
  return name;
}

}  // namespace

std::string junit_xml(const run_report& run, int verbosity, const std::string& hostname) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("testsuites");
  suite_context context{run.started_at, 0, hostname, verbosity, false};
  for (std::size_t i = 0; i < run.suites.size(); ++i) {
    context.interrupted = run.interrupted && i + 1 == run.suites.size();
    add_suite(root, run.suites[i], static_cast<int>(i), context);
    context.offset += run.suites[i].seconds;
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

std::string junit_report(const run_report& run, int verbosity) {
  return junit_xml(run, verbosity, host_name());
}

}  // namespace mqttest
