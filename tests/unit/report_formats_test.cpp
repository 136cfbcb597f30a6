// JSON, YAML, TAP and HTML reports, each checked by its consumer: the JSON
// schema (valijson), our YAML reader, prove (Perl's TAP harness), and HTML
// structure (headless Chromium runs in tests/integration/report_formats_test).

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "executor/core/document.h"
#include "executor/engine/events.h"
#include "executor/engine/report.h"
#include "executor/report/html_reporter.h"
#include "executor/report/json_reporter.h"
#include "executor/report/report_data.h"
#include "executor/report/tap_reporter.h"
#include "executor/report/yaml_reporter.h"
#include "tests/source_paths.h"
#include "tests/temp_dir.h"
#include "tests/valijson_problems.h"

namespace fs = std::filesystem;
using namespace mqttest;
using nlohmann::json;

namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

assertion_outcome outcome(bool passed, std::string text, int line) {
  assertion_outcome a;
  a.passed = passed;
  a.text = std::move(text);
  a.where = {"suite.yml", line, 7};
  if (!passed) {
    a.expected = "1";
    a.actual = "2";
  }
  return a;
}

/// A run with a passed, a failed (assertion), an erroring and a skipped case.
run_report sample_run(bool all_pass = false) {
  run_report run;
  run.started_at = "2024-05-01T10:00:00Z";
  run.seconds = 1.25;
  suite_report& suite = run.suites.emplace_back();
  suite.name = "sample # suite";
  suite.file = "suite.yml";
  suite.seconds = 1.2;
  case_report& pass = suite.cases.emplace_back();
  pass.name = "passes";
  pass.where = {"suite.yml", 4, 3};
  pass.seconds = 0.1;
  step_report& s1 = pass.steps.emplace_back();
  s1.number = 1;
  s1.name = "mqtt subscriber";
  s1.where = {"suite.yml", 6, 5};
  s1.result = {{"error", ""}, {"messagesjson", {{{"c", 1}, {"text", "<b>&</b>"}}}}};
  s1.assertions.push_back(outcome(true, "result.messagesjson.messagesjson0.c ShouldEqual 1", 9));
  case_report& skip = suite.cases.emplace_back();
  skip.name = "skipped one";
  skip.status = verdict::skipped;
  skip.skip_reason = "not on this broker";
  if (all_pass) return run;
  case_report& fail = suite.cases.emplace_back();
  fail.name = "fails";
  fail.status = verdict::failed;
  fail.where = {"suite.yml", 12, 3};
  step_report& s2 = fail.steps.emplace_back();
  s2.number = 1;
  s2.name = "mqtt subscriber";
  s2.where = {"suite.yml", 14, 5};
  s2.result = {{"error", ""}, {"messagesjson", {{{"c", 2}}}}};
  s2.assertions.push_back(outcome(false, "result.messagesjson.messagesjson0.c ShouldEqual 1", 20));
  case_report& error = suite.cases.emplace_back();
  error.name = "errors";
  error.status = verdict::failed;
  step_report& s3 = error.steps.emplace_back();
  s3.number = 1;
  s3.error = "connect to tcp://127.0.0.1:1 failed";
  s3.result = {{"error", s3.error}, {"err", s3.error}};
  s3.assertions.push_back(outcome(false, "result.error ShouldBeEmpty", 0));
  return run;
}

/// "" when `data` matches schemas/report.schema.json, else the problems.
std::string report_schema_problems(const json& data) {
  auto schema = valijson_schema(
      json::parse(read_all(fs::path(mqttest::testing::source_dir()) / "schemas/report.schema.json")));
  return valijson_problems(*schema, data);
}

/// Runs prove on a TAP file; returns its exit status and output.
std::pair<int, std::string> prove(const fs::path& file) {
  REQUIRE_MESSAGE(std::system("command -v prove >/dev/null 2>&1") == 0,
                  "prove is missing (Debian package perl)");
  fs::path log = file.string() + ".log";
  std::string command =
      "prove -v -e cat '" + file.string() + "' >'" + log.string() + "' 2>&1";
  int status = std::system(command.c_str());
  std::string output = read_all(log);
  fs::remove(log);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace

TEST_CASE("json report: matches schemas/report.schema.json and reads back unchanged") {
  run_report run = sample_run();
  json data = json::parse(json_report(run));
  CHECK(report_schema_problems(data) == "");
  CHECK(data["totals"] == json{{"passed", 1}, {"failed", 2}, {"skipped", 1}, {"total", 4}});
  CHECK(data["suites"][0]["cases"][2]["steps"][0]["assertions"][0]["passed"] == false);
  CHECK(data["suites"][0]["cases"][2]["steps"][0]["assertions"][0]["actual"] == "2");
  CHECK(run_to_json(run_from_json(data)) == data);
}

TEST_CASE("json report: the schema rejects a report of another shape") {
  json data = run_to_json(sample_run());
  data["suites"][0]["cases"][0]["status"] = "ok";
  CHECK(report_schema_problems(data) != "");
  data = run_to_json(sample_run());
  data.erase("totals");
  CHECK(report_schema_problems(data) != "");
}

TEST_CASE("yaml report: the same data as the JSON report, strings stay strings") {
  run_report run = sample_run();
  run.suites[0].cases[0].steps[0].result["payload"] = "true";
  run.suites[0].cases[0].steps[0].result["n"] = "007";
  std::string text = yaml_report(run);
  auto doc = parse_document(text, "report.yaml");
  CHECK(doc->root == run_to_json(run));
}

TEST_CASE("tap report: version 13, plan, ok/not ok, SKIP, YAML diagnostics, prove accepts it") {
  temp_dir dir;
  std::string failing = tap_report(sample_run(), 0);
  CHECK(failing.rfind("TAP version 13\n1..4\n", 0) == 0);
  CHECK(failing.find("ok 1 - sample \\# suite / passes\n") != std::string::npos);
  CHECK(failing.find("ok 2 - sample \\# suite / skipped one # SKIP not on this broker\n") !=
        std::string::npos);
  CHECK(failing.find("not ok 3 - sample \\# suite / fails\n  ---\n") != std::string::npos);
  CHECK(failing.find("      \"expected\": \"1\"\n") != std::string::npos);
  CHECK(failing.find("    - \"actual\": \"2\"\n") != std::string::npos);
  CHECK(failing.find("\"error\": \"connect to tcp://127.0.0.1:1 failed\"") != std::string::npos);

  fs::path passing_file = dir.path / "passing.tap";
  std::ofstream(passing_file) << tap_report(sample_run(true), 1);
  auto [ok_status, ok_output] = prove(passing_file);
  CHECK_MESSAGE(ok_status == 0, ok_output);
  CHECK(ok_output.find("Result: PASS") != std::string::npos);

  fs::path failing_file = dir.path / "failing.tap";
  std::ofstream(failing_file) << failing;
  auto [status, output] = prove(failing_file);
  CHECK(status != 0);
  CHECK_MESSAGE(output.find("Failed 2/4 subtests") != std::string::npos, output);
  CHECK(output.find("Result: FAIL") != std::string::npos);
}

TEST_CASE("html report: self-contained, summary first, cases expandable, failures highlighted") {
  std::string html = html_report(sample_run());
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("http") == std::string::npos);
  auto summary = html.find("<span class=\"t-failed\">2 failed</span>");
  CHECK(summary != std::string::npos);
  CHECK(summary < html.find("<details"));
  CHECK(html.find("<details class=\"case failed\" open>") != std::string::npos);
  CHECK(html.find("<details class=\"case passed\">") != std::string::npos);
  CHECK(html.find("<li class=\"fail\">result.messagesjson.messagesjson0.c ShouldEqual 1") !=
        std::string::npos);
  CHECK(html.find("&lt;b&gt;&amp;&lt;/b&gt;") != std::string::npos);
  CHECK(html.find("<b>&</b>") == std::string::npos);
  CHECK(html.find("\"c\": 2") == std::string::npos);  // quotes are escaped in <pre>
  CHECK(html.find("&quot;c&quot;: 2") != std::string::npos);
}

TEST_CASE("file reporters write their file atomically into the output directory") {
  temp_dir dir;
  reporter_options options;
  options.output_dir = (dir.path / "out").string();
  for (const std::string& name : reporter_names()) {
    auto r = make_reporter(name, std::cout, options);
    REQUIRE(r != nullptr);
    replay(sample_run(), *r);
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir.path / "out"))
    files.push_back(entry.path().filename());
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{"mqttest-junit.xml", "mqttest-report.html",
                                          "mqttest-report.json", "mqttest-report.tap",
                                          "mqttest-report.yaml"});
}
