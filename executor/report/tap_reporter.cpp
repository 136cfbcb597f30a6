#include "executor/report/tap_reporter.h"

#include <fmt/format.h>


#include "executor/report/report_data.h"
#include "executor/engine/step_details.h"
#include "executor/report/yaml_reporter.h"

namespace mqttest {
namespace {

using nlohmann::json;

/// One line, without TAP's directive marker '#' unescaped.
std::string description(const suite_report& suite, const case_report& c) {
  std::string out;
  for (char ch : suite.name + " / " + c.name) {
    if (ch == '\n' || ch == '\r') ch = ' ';
    if (ch == '#' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

std::string one_line(std::string text) {
  for (char& ch : text)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return text;
}

json failures(const case_report& c) {
  json list = json::array();
  for (const step_report& step : c.steps) {
    if (has_runtime_error(step))
      list.push_back({{"step", step_heading(step)}, {"error", step.error}});
    for (const assertion_outcome* failure : shown_failures(step)) {
      json item = {{"step", step_heading(step)},
                   {"assertion", failure->text},
                   {"at", to_string(failure->where)}};
      if (!failure->expected.empty() || !failure->actual.empty()) {
        item["expected"] = failure->expected;
        item["actual"] = failure->actual;
      } else if (!failure->message.empty()) {
        item["message"] = failure->message;
      }
      list.push_back(std::move(item));
    }
  }
  return list;
}

json diagnostics(const suite_report& suite, const case_report& c, int verbosity) {
  json data = {{"status", to_string(c.status)},
               {"duration_ms", static_cast<long long>(c.seconds * 1000 + 0.5)},
               {"at", to_string(c.where)},
               {"suite_file", suite.file}};
  if (c.status == verdict::failed) {
    json list = failures(c);
    data["message"] = list.empty() ? "test case failed"
                                   : list[0].value("assertion", list[0].value("error", ""));
    data["severity"] = "fail";
    if (!list.empty()) data["failures"] = std::move(list);
  }
  if (verbosity >= 1) {
    json steps = json::array();
    for (const step_report& step : c.steps)
      steps.push_back(
          {{"step", step_heading(step)}, {"result", capped_for_report(step.result)}});
    data["steps"] = std::move(steps);
  }
  return data;
}

/// prove's YAMLish reader knows no flow collections: an empty list or map
/// becomes null.
json yamlish(const json& value) {
  if (!value.is_structured()) return value;
  if (value.empty()) return nullptr;
  json out = value;
  for (auto& item : out) item = yamlish(item);
  return out;
}

std::string indented(const std::string& text) { return indent_lines(text, "  "); }

}  // namespace

std::string tap_report(const run_report& run, int verbosity) {
  std::size_t count = 0;
  for (const suite_report& suite : run.suites) count += suite.cases.size();
  std::string out = fmt::format("TAP version 13\n1..{}\n", count);
  std::size_t number = 0;
  for (const suite_report& suite : run.suites) {
    out += fmt::format("# {}: {}\n", one_line(suite.name), one_line(suite.file));
    for (const case_report& c : suite.cases) {
      bool ok = c.status != verdict::failed;
      out += fmt::format("{} {} - {}", ok ? "ok" : "not ok", ++number, description(suite, c));
      if (c.status == verdict::skipped)
        out += fmt::format(" # SKIP {}", one_line(c.skip_reason));
      out += "\n";
      json data = diagnostics(suite, c, verbosity);
      out += indented("---\n" + to_yaml(yamlish(data)) + "...");
    }
  }
  if (run.interrupted) out += "Bail out! run interrupted\n";
  return out;
}

}  // namespace mqttest
