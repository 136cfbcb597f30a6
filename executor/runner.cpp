#include "executor/runner.h"

#include <cctype>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "executor/templating.h"
#include "steps/step.h"

namespace mqttest {
namespace {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

bool is_interrupted(const run_options& options) {
  return options.interrupted != nullptr && options.interrupted->load();
}

/// Expands every string in `value`; a template error names the position of
/// the string that holds it.
json expand_fields(const json& value, const json& vars, const json::json_pointer& here,
                   const locate_fn& locate, const document& doc) {
  if (value.is_string()) {
    try {
      return expand(value.get<std::string>(), vars);
    } catch (const template_error& e) {
      throw doc.error(locate(here), e.what());
    }
  }
  if (!value.is_structured()) return value;
  json out = value.is_array() ? json::array() : json::object();
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      out.push_back(expand_fields(value[i], vars, here / i, locate, doc));
  } else {
    for (const auto& [key, item] : value.items())
      out[key] = expand_fields(item, vars, here / key, locate, doc);
  }
  return out;
}

std::string step_title(const step_spec& spec) {
  if (!spec.name.empty()) return spec.name;
  auto client = spec.fields.find("clientType");
  if (client != spec.fields.end() && client->is_string())
    return fmt::format("{} {}", spec.type, client->get<std::string>());
  return spec.type;
}

json error_result(const std::string& message) {
  return json{{"error", message}, {"err", message}};
}

/// Whether an assertion's path is result.error / result.err (any case).
bool examines_error(const assertion& a) {
  if (a.type != assertion::kind::check) {
    for (const assertion& child : a.children)
      if (examines_error(child)) return true;
    return false;
  }
  std::string path = a.text.substr(0, a.text.find_first_of(" \t"));
  for (char& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return path == "result.error" || path == "result.err";
}

step_report run_step(const suite& s, const step_spec& spec, int number, const json& vars,
                     const run_options& options) {
  step_report report;
  report.number = number;
  report.name = step_title(spec);
  report.where = spec.where;
  auto start = clock_type::now();
  const document& doc = *s.doc;
  locate_fn locate = [&](const json::json_pointer& ptr) { return doc.value_at(spec.pointer / ptr); };
  try {
    json fields = expand_fields(spec.fields, vars, json::json_pointer{}, locate, doc);
    std::unique_ptr<step> runnable = spec.kind->make(fields, locate);
    step_context context;
    context.interrupted = options.interrupted;
    context.verbosity = options.verbosity;
    report.result = runnable->run(context);
  } catch (const config_error& e) {
    report.result = error_result(e.what());
  }
  report.error = report.result.value("error", "");

  json data{{"result", report.result}};
  text_expander expander = [&](const std::string& text) { return expand_text(text, vars); };
  for (const assertion& a : spec.assertions) report.error_asserted |= examines_error(a);
  if (spec.assertions.empty()) {
    report.assertions.push_back(evaluate(default_assertion(spec.where), data, expander));
  } else {
    for (const assertion& a : spec.assertions) report.assertions.push_back(evaluate(a, data, expander));
  }
  report.seconds = seconds_since(start);
  return report;
}

bool must_failed(const step_report& report) {
  for (const auto& outcome : report.assertions)
    if (!outcome.passed && outcome.must) return true;
  return false;
}

case_report run_case(const suite& s, const test_case& tc, const json& vars,
                     const run_options& options) {
  case_report report;
  report.name = tc.name;
  report.where = tc.where;
  auto start = clock_type::now();
  int number = 0;
  for (const step_spec& spec : tc.steps) {
    if (is_interrupted(options)) break;
    report.steps.push_back(run_step(s, spec, ++number, vars, options));
    const step_report& done = report.steps.back();
    if (!done.passed()) report.status = verdict::failed;
    if (must_failed(done)) break;
  }
  if (is_interrupted(options) && report.steps.size() < tc.steps.size())
    report.status = verdict::failed;
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace

run_report run_suites(const std::vector<suite>& suites, const run_options& options,
                      const std::vector<reporter*>& reporters) {
  run_report run;
  run.started_at = utc_now();
  auto start = clock_type::now();
  bool stop = false;
  for (const suite& s : suites) {
    if (stop || is_interrupted(options)) break;
    suite_report& sr = run.suites.emplace_back();
    sr.name = s.name;
    sr.file = s.file;
    for (reporter* r : reporters) r->suite_started(sr);
    json vars = s.vars;
    for (const auto& [name, value] : options.vars.items()) vars[name] = value;
    auto suite_start = clock_type::now();
    for (const test_case& tc : s.cases) {
      if (is_interrupted(options)) break;
      sr.cases.push_back(run_case(s, tc, vars, options));
      for (reporter* r : reporters) r->case_finished(sr, sr.cases.back());
      if (options.stop_on_failure && sr.cases.back().status == verdict::failed) {
        stop = true;
        break;
      }
    }
    sr.seconds = seconds_since(suite_start);
  }
  run.interrupted = is_interrupted(options);
  run.seconds = seconds_since(start);
  for (reporter* r : reporters) r->run_finished(run);
  return run;
}

}  // namespace mqttest
