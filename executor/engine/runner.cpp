#include "executor/engine/runner.h"

#include <cctype>
#include <chrono>
#include <ctime>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <re2/re2.h>

#include <fmt/format.h>

#include "executor/engine/step_details.h"
#include "executor/engine/step_evaluation.h"
#include "executor/core/result_path.h"
#include "executor/lang/secrets.h"
#include "executor/lang/template_date.h"
#include "executor/lang/templating.h"
#include "executor/lang/vars.h"
#include "steps/step.h"

namespace mqttest {
namespace {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
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

bool must_failed(const step_report& report) {
  for (const auto& outcome : report.assertions)
    if (!outcome.passed && outcome.must) return true;
  return false;
}

/// Hands events on one at a time: a step may trace from its own threads.
class serialised final : public reporter {
 public:
  explicit serialised(reporter& target) : target_(target) {}
  void run_started(const run_info& e) override {
    locked([&](reporter& r) { r.run_started(e); });
  }
  void suite_started(const suite_info& e) override {
    locked([&](reporter& r) { r.suite_started(e); });
  }
  void case_started(const case_info& e) override {
    locked([&](reporter& r) { r.case_started(e); });
  }
  void step_started(const step_info& e) override {
    locked([&](reporter& r) { r.step_started(e); });
  }
  void trace(const trace_line& e) override {
    locked([&](reporter& r) { r.trace(e); });
  }
  void step_finished(const step_report& e) override {
    locked([&](reporter& r) { r.step_finished(e); });
  }
  void case_finished(const case_report& e) override {
    locked([&](reporter& r) { r.case_finished(e); });
  }
  void suite_finished(const suite_stats& e) override {
    locked([&](reporter& r) { r.suite_finished(e); });
  }
  void run_finished(const run_stats& e) override {
    locked([&](reporter& r) { r.run_finished(e); });
  }

 private:
  template <class F>
  void locked(F deliver) {
    std::lock_guard lock(mutex_);
    deliver(target_);
  }

  reporter& target_;
  std::mutex mutex_;
};

/// What a suite's steps share while it runs.
struct suite_run {
  const suite& s;
  const run_options& options;
  std::string runid;
  json vars;  ///< suite vars, overrides, and `<case>.<name>` extracted so far
  secret_mask mask;
  reporter& events;
};

/// vars + venom.* built-ins for one step.
json step_vars(const json& vars, int number) {
  json out = vars;
  go_time now = time_now();
  out["venom.teststep.number"] = number;
  out["venom.datetime"] = format_rfc3339(now);
  out["venom.timestamp"] = now.seconds;
  return out;
}

bool sleep_interruptibly(double seconds, const run_options& options) {
  auto until = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                       std::chrono::duration<double>(seconds));
  while (clock_type::now() < until) {
    if (is_interrupted(options)) return false;
    clock_type::duration left = until - clock_type::now();
    std::this_thread::sleep_for(
        std::min<clock_type::duration>(std::chrono::milliseconds(50), left));
  }
  return true;
}

/// The first false assertion of `checks` against `data`, as a reason; "" when all hold.
std::string first_false(const std::vector<assertion>& checks, const json& data, const json& vars) {
  text_expander expander = [&](const std::string& text) { return expand_text(text, vars); };
  for (const assertion& a : checks) {
    assertion_outcome outcome = evaluate(a, data, expander);
    if (outcome.passed) continue;
    std::string reason = outcome.text;
    if (!outcome.message.empty())
      reason += ": " + outcome.message;
    else if (!outcome.actual.empty())
      reason += fmt::format(" (actual: {})", outcome.actual);
    return reason;
  }
  return {};
}

assertion_outcome failed_outcome(std::string text, std::string message, const position& where) {
  assertion_outcome out;
  out.text = std::move(text);
  out.message = std::move(message);
  out.where = where;
  return out;
}

void run_steps(suite_run& run, const document& doc, const std::vector<step_spec>& steps,
               const std::string& case_name, json& vars, std::vector<step_report>& out,
               bool announce);

json run_user_executor(suite_run& run, const user_executor& ex, const json& fields,
                       const json& vars) {
  json input = json::object();
  for (const auto& [name, fallback] : ex.input.items())
    if (!fallback.is_null() && !(fallback.is_object() && fallback.empty())) input[name] = fallback;
  for (const auto& [name, value] : fields.items()) input[name] = value;
  json inner = vars;
  inner["input"] = input;
  std::vector<step_report> reports;
  run_steps(run, *ex.doc, ex.steps, ex.name, inner, reports, false);
  for (const step_report& r : reports) {
    if (r.passed()) continue;
    std::string problem = step_problems(r, "  ");
    while (!problem.empty() && problem.back() == '\n') problem.pop_back();
    return error_result(
        fmt::format("user executor \"{}\": {} failed:\n{}", ex.name, step_heading(r), problem));
  }
  if (!reports.empty()) inner["result"] = reports.back().result;
  json output;
  try {
    output = expand_all(ex.output, inner);
  } catch (const template_error& e) {
    return error_result(fmt::format("user executor \"{}\": output: {}", ex.name, e.what()));
  }
  if (output.is_null()) output = json::object();
  if (!output.is_object()) output = json{{"value", output}};
  if (!output.contains("error")) output["error"] = "";
  return output;
}

/// One try: expand, run, assert.
step_report run_attempt(suite_run& run, const document& doc, const step_spec& spec, int number,
                        json& vars) {
  const run_options& options = run.options;
  step_report report;
  report.number = number;
  report.name = step_title(spec);
  report.where = spec.where;
  auto start = clock_type::now();
  locate_fn locate = [&](const json::json_pointer& ptr) { return doc.value_at(spec.pointer / ptr); };
  json result;
  try {
    json fields = expand_fields(spec.fields, vars, json::json_pointer{}, locate, doc);
    run.mask.add_passwords(fields);
    if (spec.user) {
      result = run_user_executor(run, *spec.user, fields, vars);
    } else {
      std::unique_ptr<step> runnable = spec.kind->make(fields, locate);
      step_context context;
      context.interrupted = options.interrupted;
      context.verbosity = options.verbosity;
      if (options.verbosity >= 2)
        context.trace = [&run](std::string_view line) {
          run.events.trace({std::chrono::system_clock::now(), run.mask.apply(std::string(line))});
        };
      result = runnable->run(context);
    }
  } catch (const config_error& e) {
    result = error_result(e.what());
  }
  vars["result"] = result;
  // A user executor's steps judge themselves; the call passes when they did.
  std::string_view fallback = spec.kind != nullptr ? spec.kind->default_assertion
                                                   : step_kind{}.default_assertion;
  step_checks checks{spec.assertions, fallback, spec.where,
                     [&](const std::string& text) { return expand_text(text, vars); }};
  judge_result(report, std::move(result), checks);
  report.seconds = seconds_since(start);
  return report;
}

/// `retry` and `delay` after expansion; nullopt (and `problem`) when they are not numbers.
std::optional<std::pair<long long, double>> retry_settings(const step_spec& spec, const json& vars,
                                                           std::string& problem) {
  try {
    json retry = spec.retry.is_string() ? expand(spec.retry.get<std::string>(), vars) : spec.retry;
    json delay = spec.delay.is_string() ? expand(spec.delay.get<std::string>(), vars) : spec.delay;
    if (retry.is_string()) retry = parse_var_value(retry.get<std::string>());
    if (delay.is_string()) delay = parse_var_value(delay.get<std::string>());
    if (!retry.is_number_integer() || retry.get<long long>() < 0) {
      problem = fmt::format("expected an integer >= 0 for \"retry\", got {}", retry.dump());
      return std::nullopt;
    }
    if (!delay.is_number() || delay.get<double>() < 0) {
      problem = fmt::format("expected a number of seconds >= 0 for \"delay\", got {}", delay.dump());
      return std::nullopt;
    }
    return std::pair{retry.get<long long>(), delay.get<double>()};
  } catch (const template_error& e) {
    problem = e.what();
    return std::nullopt;
  }
}

step_report run_with_retries(suite_run& run, const document& doc, const step_spec& spec,
                             int number, json& vars) {
  std::string problem;
  auto settings = retry_settings(spec, vars, problem);
  if (!settings) {
    step_report report = run_attempt(run, doc, spec, number, vars);
    report.assertions.push_back(failed_outcome("retry", problem, spec.where));
    return report;
  }
  auto [retries, delay] = *settings;
  step_report report;
  for (long long attempt = 1;; ++attempt) {
    report = run_attempt(run, doc, spec, number, vars);
    report.tries = static_cast<int>(attempt);
    if (report.passed() || attempt > retries || is_interrupted(run.options)) break;
    if (!spec.retry_if.empty() &&
        !first_false(spec.retry_if, json{{"result", report.result}}, vars).empty())
      break;
    if (!sleep_interruptibly(delay, run.options)) break;
  }
  return report;
}

/// Step output into variables; a missing path without default fails the step.
void extract_vars(suite_run& run, const step_spec& spec, const std::string& case_name,
                  step_report& report, json& vars) {
  json data{{"result", report.result}};
  for (const auto& [name, rule] : spec.extract.items()) {
    const json& from_value = rule.at("from");
    std::string from = from_value.is_string() ? from_value.get<std::string>() : from_value.dump();
    std::optional<json> value = resolve_path(data, from);
    if (value && rule.contains("regex")) {
      std::string pattern = rule.at("regex").get<std::string>();
      RE2 re(pattern, RE2::Quiet);
      std::string text = value->is_string() ? value->get<std::string>() : value->dump();
      std::string group;
      bool with_group = re.NumberOfCapturingGroups() > 0;
      bool matched = with_group ? RE2::PartialMatch(text, re, &group) : RE2::PartialMatch(text, re);
      if (matched && !with_group) group = text;
      value = matched ? std::optional<json>(group) : std::nullopt;
      if (!matched && !rule.contains("default")) {
        report.assertions.push_back(failed_outcome(
            fmt::format("vars.{}", name),
            fmt::format("regex \"{}\" does not match {} (from \"{}\")", pattern, json(text).dump(),
                        from),
            spec.where));
        continue;
      }
    }
    if (!value && rule.contains("default")) value = rule.at("default");
    if (!value) {
      report.assertions.push_back(failed_outcome(
          fmt::format("vars.{}", name),
          fmt::format("path \"{}\" does not exist in the step's result (and no default)", from),
          spec.where));
      continue;
    }
    vars[name] = *value;
    vars[case_name + "." + name] = *value;
    run.vars[case_name + "." + name] = *value;
  }
}

void expand_info(const step_spec& spec, step_report& report, const json& vars) {
  for (const std::string& line : spec.info) {
    try {
      report.info.push_back(expand_text(line, vars));
    } catch (const template_error& e) {
      report.assertions.push_back(failed_outcome("info", e.what(), spec.where));
    }
  }
}

struct range_item {
  std::string label;
  json index, key, value;
};

std::string kind_name(const json& value) {
  if (value.is_string()) return "a string";
  if (value.is_number()) return "a number";
  if (value.is_boolean()) return "a boolean";
  return "null";
}

std::vector<range_item> range_items(const json& range, const json& vars) {
  json value = range.is_string() ? expand(range.get<std::string>(), vars) : range;
  std::vector<range_item> items;
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      items.push_back({fmt::format("index {}", i), i, i, value[i]});
  } else if (value.is_object()) {
    std::size_t i = 0;
    for (const auto& [key, item] : value.items())
      items.push_back({fmt::format("key {}", key), i++, key, item});
  } else if (value.is_number_integer() && value.get<long long>() >= 0) {
    for (long long i = 0; i < value.get<long long>(); ++i)
      items.push_back({fmt::format("index {}", i), i, i, i});
  } else {
    throw template_error(
        fmt::format("range: expected a list, a map or an integer >= 0, got {} ({})",
                    kind_name(value), value.dump()));
  }
  return items;
}

/// Runs one step as written (skip, range, retries, extraction, info); appends its reports.
void run_step(suite_run& run, const document& doc, const step_spec& spec, int number,
              const std::string& case_name, json& vars, std::vector<step_report>& out) {
  auto bare_report = [&] {
    step_report r;
    r.number = number;
    r.name = step_title(spec);
    r.where = spec.where;
    r.result = json::object();
    return r;
  };
  json scope = step_vars(vars, number);
  if (!spec.skip.empty()) {
    if (std::string reason = first_false(spec.skip, scope, scope); !reason.empty()) {
      step_report r = bare_report();
      r.skipped = true;
      r.skip_reason = reason;
      out.push_back(std::move(r));
      return;
    }
  }
  std::vector<range_item> items{range_item{}};
  if (!spec.range.is_null()) {
    try {
      items = range_items(spec.range, scope);
    } catch (const template_error& e) {
      step_report r = bare_report();
      r.error = doc.error(doc.value_at(spec.pointer / "range"), e.what()).what();
      r.result = error_result(r.error);
      out.push_back(std::move(r));
      return;
    }
    if (items.empty()) {
      step_report r = bare_report();
      r.skipped = true;
      r.skip_reason = "range is empty";
      out.push_back(std::move(r));
      return;
    }
  }
  for (const range_item& item : items) {
    if (is_interrupted(run.options)) return;
    json iteration = step_vars(vars, number);
    if (!spec.range.is_null()) {
      iteration["index"] = item.index;
      iteration["key"] = item.key;
      iteration["value"] = item.value;
    }
    step_report report = run_with_retries(run, doc, spec, number, iteration);
    report.iteration = item.label;
    vars["result"] = report.result;
    extract_vars(run, spec, case_name, report, vars);
    for (const auto& [name, value] : spec.extract.items())
      if (vars.contains(name)) iteration[name] = vars[name];
    expand_info(spec, report, iteration);
    out.push_back(std::move(report));
    if (must_failed(out.back())) return;
  }
}

/// Masks a step report of the test case in place and reports it.
void emit_step(suite_run& run, step_report& report) {
  mask_report(run.mask, report);
  run.events.step_finished(report);
}

void run_steps(suite_run& run, const document& doc, const std::vector<step_spec>& steps,
               const std::string& case_name, json& vars, std::vector<step_report>& out,
               bool announce) {
  int number = 0;
  for (const step_spec& spec : steps) {
    if (is_interrupted(run.options)) break;
    ++number;
    if (announce) run.events.step_started({number, run.mask.apply(step_title(spec)), spec.where});
    std::size_t before = out.size();
    run_step(run, doc, spec, number, case_name, vars, out);
    bool must = false;
    for (std::size_t i = before; i < out.size(); ++i) {
      must |= must_failed(out[i]);
      if (announce) emit_step(run, out[i]);
    }
    if (must) break;
  }
}

case_report run_case(suite_run& run, const test_case& tc) {
  case_report report;
  report.name = tc.name;
  report.where = tc.where;
  auto start = clock_type::now();
  run.events.case_started({run.mask.apply(tc.name), tc.where});
  json vars = run.vars;
  vars["venom.testcase"] = tc.name;
  try {
    for (const auto& [name, value] : tc.vars.items()) vars[name] = expand_all(value, vars);
  } catch (const template_error& e) {
    step_report r;
    r.name = "test case vars";
    r.where = tc.where;
    r.error = fmt::format("{}: vars: {}", to_string(tc.where), e.what());
    r.result = error_result(r.error);
    report.steps.push_back(std::move(r));
    emit_step(run, report.steps.back());
    report.status = verdict::failed;
    return report;
  }
  for (const auto& [name, value] : run.options.vars.items()) vars[name] = value;
  if (!tc.skip.empty()) {
    if (std::string reason = first_false(tc.skip, vars, vars); !reason.empty()) {
      report.status = verdict::skipped;
      report.skip_reason = reason;
      return report;
    }
  }
  run_steps(run, *run.s.doc, tc.steps, tc.name, vars, report.steps, true);
  for (const step_report& done : report.steps)
    if (!done.passed()) report.status = verdict::failed;
  if (is_interrupted(run.options)) report.status = verdict::failed;
  report.seconds = seconds_since(start);
  return report;
}

/// Suite variables may use other variables (`topic: "{{.base}}/x"`): expand
/// them against each other; what cannot be expanded yet stays as written and
/// fails with a precise message where it is used.
/// A cycle or a limit in the suite's vars is a config error of the suite
/// (nothing of it has run yet); an interrupt leaves the vars as they are and
/// the run loop stops.
void expand_nested_vars(json& vars, const run_options& options, const std::string& file) {
  try {
    expand_vars(vars, {.interrupted = options.interrupted});
  } catch (const template_interrupted&) {
  } catch (const template_limit_error& e) {
    throw config_error({file}, e.what());
  }
}

std::string make_runid() {
  std::random_device device;
  std::mt19937 engine(device());
  constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string id;
  for (int i = 0; i < 8; ++i) id += alphabet[pick(engine)];
  return id;
}

}  // namespace

run_report run_suites(const std::vector<suite>& suites, const run_options& options,
                      reporter& target) {
  serialised events(target);
  run_report run;
  run.started_at = utc_now();
  events.run_started({run.started_at});
  auto start = clock_type::now();
  bool stop = false;
  const std::string runid = make_runid();
  for (const suite& s : suites) {
    if (stop || is_interrupted(options)) break;
    suite_report& sr = run.suites.emplace_back();
    sr.name = s.name;
    sr.file = s.file;
    events.suite_started({sr.name, sr.file});
    suite_run state{s, options, runid, s.vars, {}, events};
    for (const auto& [name, value] : options.vars.items()) state.vars[name] = value;
    state.vars["venom.testsuite"] = s.name;
    state.vars["venom.testsuite.filename"] = s.file;
    state.vars["mqttest.runid"] = runid;
    expand_nested_vars(state.vars, options, s.file);
    for (const std::string& name : s.secrets)
      if (auto it = state.vars.find(name); it != state.vars.end()) state.mask.add(*it);
    auto suite_start = clock_type::now();
    for (const test_case& tc : s.cases) {
      if (is_interrupted(options)) break;
      case_report& done = sr.cases.emplace_back(run_case(state, tc));
      done.name = state.mask.apply(done.name);  // its steps are masked as they are reported
      done.skip_reason = state.mask.apply(done.skip_reason);
      events.case_finished(done);
      if (options.stop_on_failure && sr.cases.back().status == verdict::failed) {
        stop = true;
        break;
      }
    }
    sr.seconds = seconds_since(suite_start);
    events.suite_finished(stats_of(sr));
  }
  run.interrupted = is_interrupted(options);
  run.seconds = seconds_since(start);
  events.run_finished(stats_of(run));
  return run;
}

}  // namespace mqttest
