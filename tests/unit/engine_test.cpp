// The suite language (retry, skip, range, extraction, user executors, Must,
// a kind's default assertion) run by the engine against a fake step kind:
// no broker, every run recorded.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "executor/core/errors.h"
#include "executor/engine/events.h"
#include "executor/engine/runner.h"
#include "executor/suite/loader.h"
#include "steps/registry.h"
#include "tests/temp_dir.h"

using namespace mqttest;
using nlohmann::json;

namespace {

/// Every run of a fake step: its expanded fields, in order.
std::vector<json> fake_runs;
/// Runs so far per `id`, for `failFirst`.
std::map<std::string, int> fake_counts;

/// `type: fake`: returns `result` (default {}); `error` becomes
/// result.error; with `failFirst: N` the first N runs of the step with that
/// `id` fail with "transient failure N".
class fake_step : public step {
 public:
  explicit fake_step(json fields) : fields_(std::move(fields)) {}
  json run(const step_context&) override {
    fake_runs.push_back(fields_);
    json result = fields_.value("result", json::object());
    result["error"] = fields_.value("error", "");
    int run = ++fake_counts[fields_.value("id", "")];
    if (run <= fields_.value("failFirst", 0))
      result["error"] = "transient failure " + std::to_string(run);
    return result;
  }

 private:
  json fields_;
};

const std::vector<std::string> fake_fields = {"id", "result", "error", "failFirst"};

/// The kind's own load-time check: the loader has already refused unknown keys.
void validate_fake(const json& fields, const locate_fn& locate) {
  auto fail_first = fields.find("failFirst");
  if (fail_first != fields.end() &&
      !(fail_first->is_number_integer() && fail_first->get<long long>() >= 0))
    throw config_error(locate(json::json_pointer("/failFirst")),
                       "failFirst: expected an integer >= 0, got " + fail_first->dump());
}

std::unique_ptr<step> make_fake(const json& fields, const locate_fn&) {
  return std::make_unique<fake_step>(fields);
}

std::vector<std::string> fake_field_names() { return fake_fields; }

const step_kind fake_kind = {"fake", fake_field_names, validate_fake, make_fake};

/// A kind whose steps pass only when result.code is 0 (like Venom's exec).
step_kind coded_kind() {
  step_kind kind = {"coded", fake_field_names, validate_fake, make_fake};
  kind.default_assertion = "result.code ShouldEqual 0";
  return kind;
}
const step_kind coded = coded_kind();

const step_registry& fake_kinds() {
  static const step_registry kinds{&fake_kind, &coded};
  return kinds;
}

/// Loads `text` as a suite (with `lib` files beside it) and runs it.
run_report run_text(const std::string& text, const std::map<std::string, std::string>& lib = {},
                    run_options options = {}) {
  fake_runs.clear();
  fake_counts.clear();
  temp_dir dir;
  for (const auto& [name, body] : lib) dir.write("lib/" + name, body);
  std::vector<suite> suites{load_suite(dir.write("s.yml", text), fake_kinds())};
  reporter silent;  // every hook does nothing by default
  return run_suites(suites, options, silent);
}

const case_report& only_case(const run_report& run) {
  REQUIRE(run.suites.size() == 1);
  REQUIRE(run.suites[0].cases.size() == 1);
  return run.suites[0].cases[0];
}

}  // namespace

TEST_CASE("registry: fake kinds are found by type, a second kind of the same type is refused") {
  CHECK(fake_kinds().find("fake") == &fake_kind);
  CHECK(fake_kinds().find("mqtt") == nullptr);
  CHECK(fake_kinds().names() == std::vector<std::string>{"fake", "coded"});
  step_registry kinds{&fake_kind};
  CHECK_THROWS_WITH_AS(kinds.add(fake_kind), "step kind registered twice: fake", std::logic_error);
}

TEST_CASE("the loader resolves types through the registry it is given") {
  temp_dir dir;
  std::string path = dir.write("s.yml", "testcases:\n- name: c\n  steps:\n  - type: mqtt\n");
  try {
    load_suite(path, fake_kinds());
    FAIL("no error");
  } catch (const config_error& e) {
    CHECK(e.message() == "unknown step type \"mqtt\" (known types: fake, coded)");
  }
  std::string bad =
      dir.write("b.yml", "testcases:\n- name: c\n  steps:\n  - {type: fake, idd: x}\n");
  CHECK_THROWS_WITH_AS(load_suite(bad, fake_kinds()),
                       doctest::Contains("unknown key \"idd\" in step (did you mean \"id\"?)"),
                       config_error);
  std::string value =
      dir.write("v.yml", "testcases:\n- name: c\n  steps:\n  - {type: fake, failFirst: -1}\n");
  CHECK_THROWS_WITH_AS(load_suite(value, fake_kinds()),
                       doctest::Contains("v.yml:4:29: failFirst: expected an integer >= 0, got -1"),
                       config_error);
}

TEST_CASE("a kind's default assertion judges a step without assertions") {
  run_report run = run_text(R"(testcases:
- name: exit codes
  steps:
  - {type: coded, result: {code: 0}}
  - {type: coded, result: {code: 3}}
  - {type: fake, result: {code: 3}}
)");
  const case_report& c = only_case(run);
  REQUIRE(c.steps.size() == 3);
  CHECK(c.steps[0].passed());
  CHECK_FALSE(c.steps[1].passed());
  REQUIRE(c.steps[1].assertions.size() == 1);
  CHECK(c.steps[1].assertions[0].text == "result.code ShouldEqual 0");
  CHECK(c.steps[1].assertions[0].where.line == 5);
  CHECK(c.steps[2].passed());  // fake's default: result.error ShouldBeEmpty
  CHECK(c.status == verdict::failed);
}

TEST_CASE("a step error fails the step unless an assertion examines result.error") {
  run_report run = run_text(R"(testcases:
- name: errors
  steps:
  - {type: fake, error: boom}
  - type: fake
    error: boom
    assertions: [result.error ShouldEqual boom]
  - type: fake
    error: boom
    assertions:
    - or: [result.err ShouldContainSubstring bo, result.x ShouldEqual 1]
  - type: fake
    error: boom
    assertions: [result.x ShouldBeNil]
)");
  const case_report& c = only_case(run);
  REQUIRE(c.steps.size() == 4);
  CHECK_FALSE(c.steps[0].passed());
  CHECK(c.steps[1].passed());
  CHECK(c.steps[2].passed());  // examined inside an or: block
  CHECK_FALSE(c.steps[3].passed());
  CHECK(c.steps[3].error == "boom");
}

TEST_CASE("retry re-runs until the step passes, retry_if stops it early") {
  run_report run = run_text(R"(testcases:
- name: flaky
  steps:
  - {type: fake, id: a, failFirst: 2, retry: 3}
  - {type: fake, id: b, failFirst: 5, retry: 1}
  - type: fake
    id: c
    failFirst: 5
    retry: 4
    retry_if: [result.error ShouldEqual "transient failure 1"]
)");
  const case_report& c = only_case(run);
  REQUIRE(c.steps.size() == 3);
  CHECK(c.steps[0].passed());
  CHECK(c.steps[0].tries == 3);
  CHECK_FALSE(c.steps[1].passed());
  CHECK(c.steps[1].tries == 2);
  CHECK(c.steps[1].error == "transient failure 2");
  CHECK(c.steps[2].tries == 2);  // the second failure no longer matches retry_if
  CHECK(fake_counts["c"] == 2);
}

TEST_CASE("skip on a step and on a test case, with the failing assertion as reason") {
  run_report run = run_text(R"(vars: {env: dev}
testcases:
- name: steps
  steps:
  - type: fake
    skip: [env ShouldEqual prod]
  - {type: fake, id: ran}
- name: whole case
  skip: [env ShouldEqual prod]
  steps:
  - {type: fake, id: never}
)");
  REQUIRE(run.suites[0].cases.size() == 2);
  const case_report& steps = run.suites[0].cases[0];
  REQUIRE(steps.steps.size() == 2);
  CHECK(steps.steps[0].skipped);
  CHECK(steps.steps[0].skip_reason == "env ShouldEqual prod: expected \"prod\" but was \"dev\"");
  CHECK(steps.status == verdict::passed);
  CHECK(run.suites[0].cases[1].status == verdict::skipped);
  CHECK(fake_counts.count("never") == 0);
  CHECK(fake_runs.size() == 1);
}

TEST_CASE("range over a list, a map and an integer, an empty range skips the step") {
  run_report run = run_text(R"(vars:
  rooms: [kitchen, hall]
testcases:
- name: ranges
  steps:
  - type: fake
    range: "{{.rooms}}"
    result: {room: "{{.value}}", at: "{{.index}}"}
  - type: fake
    range: {a: 1, b: 2}
    result: {key: "{{.key}}", value: "{{.value}}"}
  - type: fake
    range: 2
    id: "n{{.value}}"
  - type: fake
    range: []
)");
  const case_report& c = only_case(run);
  REQUIRE(c.steps.size() == 2 + 2 + 2 + 1);
  CHECK(c.steps[0].iteration == "index 0");
  CHECK(c.steps[0].result["room"] == "kitchen");
  CHECK(c.steps[1].result["room"] == "hall");
  CHECK(c.steps[1].result["at"] == 1);
  CHECK(c.steps[2].iteration == "key a");
  CHECK(c.steps[3].result["value"] == 2);
  CHECK(fake_counts.count("n0") == 1);
  CHECK(fake_counts.count("n1") == 1);
  CHECK(c.steps[6].skipped);
  CHECK(c.steps[6].skip_reason == "range is empty");
  CHECK(c.status == verdict::passed);
}

TEST_CASE("step output into variables: regex, default, later steps and later test cases") {
  run_report run = run_text(R"yaml(testcases:
- name: produce
  steps:
  - type: fake
    result: {reading: "temp=21C", n: 7}
    vars:
      temp: {from: result.reading, regex: "temp=([0-9]+)"}
      count: {from: result.n}
      absent: {from: result.nothing, default: none}
  - type: fake
    result: {seen: "{{.temp}}/{{.count}}/{{.absent}}"}
- name: consume
  steps:
  - type: fake
    result: {seen: "{{.produce.temp}}"}
  - type: fake
    vars:
      missing: {from: result.nothing}
)yaml");
  REQUIRE(run.suites[0].cases.size() == 2);
  const case_report& produce = run.suites[0].cases[0];
  CHECK(produce.status == verdict::passed);
  CHECK(produce.steps[1].result["seen"] == "21/7/none");
  const case_report& consume = run.suites[0].cases[1];
  CHECK(consume.steps[0].result["seen"] == "21");
  CHECK_FALSE(consume.steps[1].passed());
  CHECK(consume.steps[1].assertions.back().message ==
        "path \"result.nothing\" does not exist in the step's result (and no default)");
}

TEST_CASE("user executors: inputs with defaults, the output as result, inner failures named") {
  std::map<std::string, std::string> lib = {{"probe.yml", R"(executor: probe
input: {level: {}, unit: C, fail: ""}
steps:
- type: fake
  id: inner
  result: {reading: "{{.input.level}}{{.input.unit}}"}
  error: "{{.input.fail}}"
output: {reading: "{{.result.reading}}"}
)"}};
  run_report run = run_text(R"(testcases:
- name: uses
  steps:
  - {type: probe, level: 5}
  - type: probe
    level: 9
    fail: broken
)",
                            lib);
  const case_report& c = only_case(run);
  REQUIRE(c.steps.size() == 2);
  CHECK(c.steps[0].passed());
  CHECK(c.steps[0].result == json{{"reading", "5C"}, {"error", ""}});
  CHECK_FALSE(c.steps[1].passed());
  CHECK(c.steps[1].error.rfind("user executor \"probe\": step 1 (fake) at ", 0) == 0);
  CHECK(c.steps[1].error.find("broken") != std::string::npos);
}

TEST_CASE("a failed Must assertion stops the rest of the test case, not the suite") {
  run_report run = run_text(R"(testcases:
- name: stops
  steps:
  - {type: fake, id: one, result: {n: 1}, assertions: [result.n MustEqual 2]}
  - {type: fake, id: two}
- name: next case runs
  steps:
  - {type: fake, id: three}
)");
  REQUIRE(run.suites[0].cases.size() == 2);
  CHECK(run.suites[0].cases[0].steps.size() == 1);
  CHECK(run.suites[0].cases[0].status == verdict::failed);
  CHECK(fake_counts.count("two") == 0);
  CHECK(fake_counts["three"] == 1);
}

TEST_CASE("--stop-on-failure ends the run after the first failed test case") {
  run_options options;
  options.stop_on_failure = true;
  run_report run = run_text(R"(testcases:
- name: fails
  steps: [{type: fake, error: boom}]
- name: never runs
  steps: [{type: fake, id: later}]
)",
                            {}, options);
  CHECK(run.suites[0].cases.size() == 1);
  CHECK(fake_counts.count("later") == 0);
}
