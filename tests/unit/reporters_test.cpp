#include <doctest/doctest.h>
#include <re2/re2.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "executor/core/atomic_file.h"
#include "executor/engine/events.h"
#include "executor/engine/report.h"
#include "executor/engine/step_details.h"
#include "executor/report/junit_reporter.h"
#include "executor/report/report_data.h"
#include "tests/source_paths.h"
#include "tests/temp_dir.h"

namespace fs = std::filesystem;
using namespace mqttest;
using nlohmann::json;

namespace {

const fs::path golden_dir = fs::path(mqttest::testing::source_dir()) / "tests/unit/golden";
const fs::path junit_xsd = golden_dir / "JUnit.xsd";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

/// Compares byte for byte; MQTTEST_UPDATE_GOLDEN=1 rewrites the golden file.
void check_golden(const std::string& name, const std::string& actual) {
  fs::path path = golden_dir / name;
  const char* update = std::getenv("MQTTEST_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    write_file(path, actual);
    MESSAGE("rewrote " << path.string());
    return;
  }
  REQUIRE_MESSAGE(fs::exists(path), "missing golden file " << path.string());
  CHECK(read_file(path) == actual);
}

/// Runs xmllint against the Ant JUnit schema; returns its output, "" when valid.
std::string schema_problems(const fs::path& file) {
  REQUIRE_MESSAGE(std::system("command -v xmllint >/dev/null 2>&1") == 0,
                  "xmllint is missing (Debian package libxml2-utils)");
  fs::path log = file.string() + ".xmllint.log";
  std::string command = "xmllint --noout --schema '" + junit_xsd.string() + "' '" + file.string() +
                        "' >'" + log.string() + "' 2>&1";
  int status = std::system(command.c_str());
  std::string output = read_file(log);
  fs::remove(log);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return output.empty() ? "xmllint failed" : output;
}

position at(int line, int column = 0) { return {"testsuites/basics.yml", line, column}; }

assertion_outcome passed(std::string text, position where) {
  return {.passed = true,
          .must = false,
          .text = std::move(text),
          .where = std::move(where),
          .expected = {},
          .actual = {},
          .message = {}};
}

assertion_outcome failed(std::string text, position where, std::string expected, std::string actual,
                         std::string message = {}) {
  return {.passed = false,
          .must = false,
          .text = std::move(text),
          .where = std::move(where),
          .expected = std::move(expected),
          .actual = std::move(actual),
          .message = std::move(message)};
}

step_report step(int number, std::string name, position where, json result,
                 std::vector<assertion_outcome> assertions, bool error_asserted = false) {
  step_report s;
  s.number = number;
  s.name = std::move(name);
  s.where = std::move(where);
  s.error = result.value("error", "");
  s.result = std::move(result);
  s.assertions = std::move(assertions);
  s.error_asserted = error_asserted;
  s.seconds = 0.004;
  return s;
}

case_report test_case(std::string name, verdict status, double seconds,
                      std::vector<step_report> steps) {
  case_report c;
  c.name = std::move(name);
  c.status = status;
  c.seconds = seconds;
  c.steps = std::move(steps);
  return c;
}

step_report publish_ok(int number) {
  return step(number, "mqtt publisher", at(8, 7), {{"error", ""}, {"published", 1}},
              {passed("result.error ShouldBeEmpty", at(8, 7))});
}

/// A run with every kind of outcome; fixed times so that output is stable.
run_report sample_run() {
  suite_report basics;
  basics.name = "broker basics";
  basics.file = "testsuites/basics.yml";
  basics.seconds = 0.75;
  basics.cases.push_back(test_case("publish and receive", verdict::passed, 0.012, {publish_ok(1)}));
  basics.cases.push_back(test_case(
      "count messages", verdict::failed, 0.31,
      {publish_ok(1),
       step(2, "mqtt subscriber", at(31, 5),
            {{"error", ""}, {"topics", {"a/b"}}, {"messagesjson", {{{"c", 1}}}}},
            {passed("result.topics.topics0 ShouldEqual a/b", at(39, 11)),
             failed("result.messagesjson.messagesjson0.c ShouldEqual 2", at(40, 11), "2", "1"),
             failed("result.messages ShouldHaveLength 2", at(41, 11), "length 2", "length 1")})}));
  basics.cases.push_back(test_case(
      "broker down", verdict::failed, 0.303,
      {publish_ok(1), step(2, "mqtt subscriber", at(52, 5),
                           {{"error", "received 0 of 1 messages on [a/b] within 300 ms"},
                            {"messages", json::array()}},
                           {failed("result.error ShouldBeEmpty", at(52, 5), "<empty>",
                                   "received 0 of 1 messages on [a/b] within 300 ms")})}));
  basics.cases.push_back(
      test_case("refusal expected", verdict::passed, 1.5,
                {step(1, "mqtt publisher", at(60, 5), {{"error", "connection refused"}},
                      {passed("result.error ShouldContainSubstring refused", at(62, 11))}, true)}));
  basics.cases.push_back(
      test_case("bad template", verdict::failed, 0.001,
                {step(1, "mqtt publisher", at(70, 5),
                      {{"error",
                        "testsuites/basics.yml:72:13: undefined variable .host\n"
                        "    addrs: {{.host}}\n"
                        "           ^"}},
                      {failed("result.error ShouldBeEmpty", at(70, 5), "<empty>", "...")})}));
  case_report skipped = test_case("needs TLS", verdict::skipped, 0, {});
  skipped.skip_reason = "no TLS broker";
  basics.cases.push_back(skipped);
  basics.cases.push_back(test_case(
      R"(quotes "q" & <tags>)", verdict::failed, 0.02,
      {step(
          1, R"(<&>" step)", at(80, 5), {{"error", ""}, {"payload", R"(<a & "b">)"}},
          {failed(R"(result.payload ShouldEqual <&>")", at(82, 11), R"(<&>")", R"(<a & "b">)")})}));

  suite_report empty;
  empty.name = "empty suite";
  empty.file = "testsuites/empty.yml";

  suite_report nameless;
  nameless.file = "testsuites/nameless.yml";
  nameless.seconds = 0.02;
  nameless.cases.push_back(test_case("only case", verdict::passed, 0.02, {publish_ok(1)}));

  run_report run;
  run.started_at = "2024-05-06T07:08:09Z";
  run.seconds = 1.234;
  run.suites = {basics, empty, nameless};
  return run;
}

void feed(reporter& r, const run_report& run) { replay(run, r); }

std::string console_output(const run_report& run, reporter_options options) {
  std::ostringstream out;
  auto r = make_reporter("console", out, options);
  REQUIRE(r != nullptr);
  feed(*r, run);
  return out.str();
}

std::string last_line(const std::string& text) {
  std::string trimmed = text.substr(0, text.find_last_not_of('\n') + 1);
  return trimmed.substr(trimmed.rfind('\n') + 1);
}

/// Runs the JUnit reporter into `dir` and returns the file it wrote.
fs::path write_junit(const run_report& run, const fs::path& dir, int verbosity = 0) {
  std::ostringstream unused;
  reporter_options options;
  options.output_dir = dir.string();
  options.verbosity = verbosity;
  auto r = make_reporter("junit", unused, options);
  REQUIRE(r != nullptr);
  feed(*r, run);
  CHECK(unused.str().empty());
  return dir / junit_file_name;
}

std::string blank_hostname(std::string xml) {
  RE2::GlobalReplace(&xml, R"re(hostname="[^"]*")re", R"(hostname="HOSTNAME")");
  return xml;
}

}  // namespace

TEST_CASE("reporter table") {
  std::ostringstream out;
  CHECK(make_reporter("console", out, {}) != nullptr);
  CHECK(make_reporter("junit", out, {}) != nullptr);
  CHECK(make_reporter("teamcity", out, {}) == nullptr);
  CHECK(reporter_names() == std::vector<std::string>{"junit", "json", "tap", "yaml", "html"});
}

TEST_CASE("console reporter output matches the golden file") {
  std::string text = console_output(sample_run(), {});
  check_golden("console.txt", text);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(last_line(text) == "3 passed, 4 failed, 1 skipped");
}

TEST_CASE("console reporter with -v shows every step result") {
  reporter_options options;
  options.verbosity = 1;
  check_golden("console_verbose.txt", console_output(sample_run(), options));
}

TEST_CASE("console reporter colours only when asked") {
  reporter_options options;
  options.color = true;
  std::string text = console_output(sample_run(), options);
  CHECK(text.find("  \x1b[32mPASS\x1b[0m  publish and receive  (12 ms)\n") != std::string::npos);
  CHECK(text.find("  \x1b[31mFAIL\x1b[0m  count messages  (310 ms)\n") != std::string::npos);
  CHECK(text.find("  \x1b[33mSKIP\x1b[0m  needs TLS  (no TLS broker)\n") != std::string::npos);
  CHECK(last_line(text) == "3 passed, 4 failed, 1 skipped");
}

TEST_CASE("console summary line") {
  run_report run;
  run.seconds = 0.5;
  SUBCASE("nothing ran") {
    CHECK(console_output(run, {}) == "\nran 0 test cases in 0.50 s\n0 passed, 0 failed\n");
  }
  SUBCASE("no skipped count when nothing was skipped") {
    run.suites.emplace_back();
    run.suites[0].file = "a.yml";
    run.suites[0].cases.push_back(test_case("a", verdict::passed, 0.1, {}));
    run.suites[0].cases.push_back(test_case("b", verdict::failed, 2.345, {}));
    CHECK(console_output(run, {}) ==
          "a.yml\n  PASS  a  (100 ms)\n  FAIL  b  (2.35 s)\n\n"
          "ran 2 test cases in 0.50 s\n1 passed, 1 failed\n");
  }
  SUBCASE("interrupted") {
    run.interrupted = true;
    run.suites.emplace_back();
    run.suites[0].cases.push_back(test_case("a", verdict::passed, 0.1, {}));
    CHECK(last_line(console_output(run, {})) == "1 passed, 0 failed (interrupted)");
    CHECK(console_output(run, {}).find("ran 1 test case in 0.50 s\n") != std::string::npos);
  }
}

TEST_CASE("junit reporter output matches the golden file and the schema") {
  temp_dir tmp;
  SUBCASE("default") {
    fs::path file = write_junit(sample_run(), tmp.path / "reports" / "nested");
    CHECK(schema_problems(file) == "");
    check_golden("junit.xml", blank_hostname(read_file(file)));
    CHECK(entries(file.parent_path()) == std::vector<std::string>{"mqttest-junit.xml"});
  }
  SUBCASE("verbose: step results in system-out") {
    fs::path file = write_junit(sample_run(), tmp.path, 1);
    CHECK(schema_problems(file) == "");
    check_golden("junit_verbose.xml", blank_hostname(read_file(file)));
  }
}

TEST_CASE("junit reporter writes an interrupted run and a run without suites") {
  temp_dir tmp;
  run_report run = sample_run();
  run.interrupted = true;
  run.suites.back().cases.push_back(test_case("cut short", verdict::failed, 0.1, {publish_ok(1)}));
  fs::path file = write_junit(run, tmp.path);
  CHECK(schema_problems(file) == "");
  std::string xml = read_file(file);
  CHECK(xml.find(R"(<testsuite name="nameless" tests="2" failures="0" errors="1" skipped="0")") !=
        std::string::npos);
  CHECK(xml.find(R"(<testcase name="cut short" classname="nameless" time="0.100">
      <error message="run interrupted before the test case finished" type="interrupted" />
    </testcase>)") != std::string::npos);
  CHECK(xml.find("<system-err>run interrupted\n</system-err>") != std::string::npos);
  CHECK(xml.find("<system-err>run interrupted") == xml.rfind("<system-err>run interrupted"));

  fs::path none = write_junit(run_report{}, tmp.path / "none");
  CHECK(read_file(none) == "<?xml version=\"1.0\"?>\n<testsuites />\n");
  CHECK(schema_problems(none) == "");
}

TEST_CASE("junit reporter keeps the file valid with bytes XML cannot hold") {
  temp_dir tmp;
  run_report run;
  run.started_at = "not a time";
  run.suites.emplace_back();
  run.suites[0].name = "  ";
  run.suites[0].file = "bad\x01name.yml";
  run.suites[0].cases.push_back(
      test_case("bell\x07 and \xff", verdict::failed, 0.1,
                {step(1, "s", at(1, 1), {{"error", ""}, {"payload", "\xff\x01"}},
                      {failed("result.x ShouldEqual \x02", at(2), "\x02", "\xc3")})}));
  fs::path file = write_junit(run, tmp.path, 1);
  CHECK(schema_problems(file) == "");
  std::string xml = read_file(file);
  CHECK(xml.find(R"(<testcase name="bell� and �" classname="bad�name")") != std::string::npos);
  CHECK(xml.find(R"("payload": "�\u0001")") != std::string::npos);

  reporter_options verbose;
  verbose.verbosity = 1;
  CHECK(console_output(run, verbose).find(R"("payload": "�\u0001")") != std::string::npos);
}

TEST_CASE("the schema check rejects what the Ant schema forbids") {
  temp_dir tmp;
  fs::path file = tmp.path / "bad.xml";
  write_file(file, "<testsuites name=\"mqttest\" tests=\"0\"/>\n");
  CHECK(schema_problems(file) != "");
}

TEST_CASE("junit reporter reports a file it cannot write") {
  temp_dir tmp;
  write_file(tmp.path / "plain", "x");
  std::ostringstream unused;
  reporter_options options;
  options.output_dir = (tmp.path / "plain" / "sub").string();
  auto r = make_reporter("junit", unused, options);
  std::string expected =
      "cannot write " + options.output_dir + "/mqttest-junit.xml: Not a directory";
  CHECK_THROWS_WITH_AS(replay(sample_run(), *r), expected.c_str(), std::runtime_error);
}

TEST_CASE("write_file_atomically") {
  temp_dir tmp;
  std::string path = (tmp.path / "out.txt").string();

  SUBCASE("creates the file and leaves no temp file") {
    write_file_atomically(path, "first\n");
    CHECK(read_file(path) == "first\n");
    CHECK(entries(tmp.path) == std::vector<std::string>{"out.txt"});
  }
  SUBCASE("replaces an existing file") {
    write_file(path, "old content that is longer\n");
    write_file_atomically(path, "new\n");
    CHECK(read_file(path) == "new\n");
    CHECK(entries(tmp.path) == std::vector<std::string>{"out.txt"});
  }
  SUBCASE("creates missing directories") {
    std::string nested = (tmp.path / "a" / "b" / "out.txt").string();
    write_file_atomically(nested, "");
    CHECK(fs::is_regular_file(nested));
    CHECK(fs::file_size(nested) == 0);
  }
  SUBCASE("a path under a regular file") {
    write_file(tmp.path / "plain", "x");
    std::string bad = (tmp.path / "plain" / "out.txt").string();
    CHECK_THROWS_WITH_AS(write_file_atomically(bad, "x"),
                         ("cannot write " + bad + ": Not a directory").c_str(), std::runtime_error);
    CHECK(entries(tmp.path) == std::vector<std::string>{"plain"});
  }
  SUBCASE("a directory in the way of the file: the temp file is removed") {
    fs::create_directories(tmp.path / "out.txt" / "inside");
    CHECK_THROWS_WITH_AS(write_file_atomically(path, "x"),
                         ("cannot write " + path + ": Is a directory").c_str(), std::runtime_error);
    CHECK(entries(tmp.path) == std::vector<std::string>{"out.txt"});
  }
}

TEST_CASE("capped_for_report: arrays past the limit end in \"… and N more\", the rest is kept") {
  json result = {{"messages", json::array()}, {"topics", {"a", "b"}}, {"received", 5},
                 {"error", ""}, {"granted", {1}}};
  for (int i = 0; i < 5; ++i) result["messages"].push_back(std::to_string(i));
  json capped = capped_for_report(result, 2);
  CHECK(capped["messages"] == json::array({"0", "1", "\u2026 and 3 more"}));
  CHECK(capped["topics"] == json::array({"a", "b"}));  // at the limit: whole
  CHECK(capped["received"] == 5);
  CHECK(capped["error"] == "");
  CHECK(capped["granted"] == json::array({1}));
  CHECK(capped_for_report(result, 0) == result);  // 0: no limit
  CHECK(capped_for_report(json("text"), 1) == "text");
  CHECK(report_array_limit() == 100);
}

TEST_CASE("reports show capped results, the step report keeps them whole") {
  step_report step;
  step.name = "big";
  step.result = {{"messages", json::array()}};
  for (int i = 0; i < 250; ++i) step.result["messages"].push_back(i);
  json shown = step_to_json(step)["result"]["messages"];
  REQUIRE(shown.size() == 101);
  CHECK(shown[99] == 99);
  CHECK(shown[100] == "\u2026 and 150 more");
  CHECK(pretty_result(step).find("\u2026 and 150 more") != std::string::npos);
  CHECK(step.result["messages"].size() == 250);
}
