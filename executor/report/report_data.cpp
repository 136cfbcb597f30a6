#include "executor/report/report_data.h"

#include "executor/engine/step_details.h"

namespace mqttest {

using nlohmann::json;

json position_to_json(const position& where) {
  return {{"file", where.file}, {"line", where.line}, {"column", where.column}};
}

position position_from_json(const json& data) {
  return {data.at("file").get<std::string>(), data.at("line").get<int>(),
          data.at("column").get<int>()};
}

json totals_to_json(const run_totals& totals) {
  return {{"passed", totals.passed},
          {"failed", totals.failed},
          {"skipped", totals.skipped},
          {"total", totals.passed + totals.failed + totals.skipped}};
}

namespace {

json assertion_json(const assertion_outcome& a) {
  return {{"text", a.text},         {"passed", a.passed},
          {"must", a.must},         {"where", position_to_json(a.where)},
          {"expected", a.expected}, {"actual", a.actual},
          {"message", a.message}};
}

assertion_outcome assertion_from(const json& data) {
  assertion_outcome a;
  a.text = data.at("text").get<std::string>();
  a.passed = data.at("passed").get<bool>();
  a.must = data.at("must").get<bool>();
  a.where = position_from_json(data.at("where"));
  a.expected = data.at("expected").get<std::string>();
  a.actual = data.at("actual").get<std::string>();
  a.message = data.at("message").get<std::string>();
  return a;
}

}  // namespace

json step_to_json(const step_report& step) {
  json assertions = json::array();
  for (const assertion_outcome& a : step.assertions) assertions.push_back(assertion_json(a));
  return {{"number", step.number},
          {"name", step.name},
          {"where", position_to_json(step.where)},
          {"passed", step.passed()},
          {"error", step.error},
          {"error_asserted", step.error_asserted},
          {"seconds", step.seconds},
          {"tries", step.tries},
          {"info", step.info},
          {"iteration", step.iteration},
          {"skipped", step.skipped},
          {"skip_reason", step.skip_reason},
          {"result", capped_for_report(step.result)},
          {"assertions", std::move(assertions)}};
}

step_report step_from_json(const json& data) {
  step_report step;
  step.number = data.at("number").get<int>();
  step.name = data.at("name").get<std::string>();
  step.where = position_from_json(data.at("where"));
  step.error = data.at("error").get<std::string>();
  step.error_asserted = data.at("error_asserted").get<bool>();
  step.seconds = data.at("seconds").get<double>();
  step.tries = data.at("tries").get<int>();
  step.info = data.at("info").get<std::vector<std::string>>();
  step.iteration = data.at("iteration").get<std::string>();
  step.skipped = data.at("skipped").get<bool>();
  step.skip_reason = data.at("skip_reason").get<std::string>();
  step.result = data.at("result");
  for (const json& a : data.at("assertions")) step.assertions.push_back(assertion_from(a));
  return step;
}

verdict verdict_from_json(const std::string& text) {
  if (text == "passed") return verdict::passed;
  if (text == "skipped") return verdict::skipped;
  if (text == "failed") return verdict::failed;
  throw json::other_error::create(501, "unknown status \"" + text + "\"", nullptr);
}

json case_to_json(const case_report& c) {
  json steps = json::array();
  for (const step_report& step : c.steps) steps.push_back(step_to_json(step));
  return {{"name", c.name},
          {"where", position_to_json(c.where)},
          {"status", to_string(c.status)},
          {"skip_reason", c.skip_reason},
          {"seconds", c.seconds},
          {"steps", std::move(steps)}};
}

case_report case_from_json(const json& data) {
  case_report c;
  c.name = data.at("name").get<std::string>();
  c.where = position_from_json(data.at("where"));
  c.status = verdict_from_json(data.at("status").get<std::string>());
  c.skip_reason = data.at("skip_reason").get<std::string>();
  c.seconds = data.at("seconds").get<double>();
  for (const json& step : data.at("steps")) c.steps.push_back(step_from_json(step));
  return c;
}

namespace {

json suite_json(const suite_report& suite) {
  json cases = json::array();
  for (const case_report& c : suite.cases) cases.push_back(case_to_json(c));
  return {{"name", suite.name},
          {"file", suite.file},
          {"seconds", suite.seconds},
          {"totals", totals_to_json(suite.totals())},
          {"cases", std::move(cases)}};
}

suite_report suite_from(const json& data) {
  suite_report suite;
  suite.name = data.at("name").get<std::string>();
  suite.file = data.at("file").get<std::string>();
  suite.seconds = data.at("seconds").get<double>();
  for (const json& c : data.at("cases")) suite.cases.push_back(case_from_json(c));
  return suite;
}

}  // namespace

std::string_view to_string(verdict v) {
  switch (v) {
    case verdict::passed: return "passed";
    case verdict::failed: return "failed";
    case verdict::skipped: return "skipped";
  }
  return "failed";
}

json run_to_json(const run_report& run) {
  json suites = json::array();
  for (const suite_report& suite : run.suites) suites.push_back(suite_json(suite));
  return {{"tool", "mqttest"},
          {"version", MQTTEST_VERSION},
          {"started_at", run.started_at},
          {"seconds", run.seconds},
          {"interrupted", run.interrupted},
          {"totals", totals_to_json(run.totals())},
          {"suites", std::move(suites)}};
}

run_report run_from_json(const json& data) {
  run_report run;
  run.started_at = data.at("started_at").get<std::string>();
  run.seconds = data.at("seconds").get<double>();
  run.interrupted = data.at("interrupted").get<bool>();
  for (const json& suite : data.at("suites")) run.suites.push_back(suite_from(suite));
  return run;
}

}  // namespace mqttest
