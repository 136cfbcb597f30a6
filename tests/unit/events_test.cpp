// Run events: the multi-reporter, the --jobs event stream (encode/decode),
// and the cumulative reporter that rebuilds the run from events.

#include "executor/engine/events.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "executor/engine/runner.h"
#include "executor/report/cumulative_reporter.h"
#include "executor/report/event_stream.h"
#include "executor/report/report_data.h"
#include "executor/suite/loader.h"
#include "steps/mqtt/mqtt_step.h"
#include "steps/registry.h"
#include "tests/temp_dir.h"

using namespace mqttest;
using nlohmann::json;

namespace {

/// Writes each event as one line of text, with the fields reporters use.
class recorder final : public reporter {
 public:
  explicit recorder(std::string tag = "") : tag_(std::move(tag)) {}
  std::vector<std::string> events;

  void run_started(const run_info& e) override { add("run_started {}", e.started_at); }
  void suite_started(const suite_info& e) override { add("suite_started {} {}", e.name, e.file); }
  void case_started(const case_info& e) override {
    add("case_started {} {}", e.name, to_string(e.where));
  }
  void step_started(const step_info& e) override {
    add("step_started {} {} {}", e.number, e.name, to_string(e.where));
  }
  void trace(const trace_line& e) override {
    add("trace {} {}",
        std::chrono::duration_cast<std::chrono::microseconds>(e.when.time_since_epoch()).count(),
        e.text);
  }
  void step_finished(const step_report& e) override {
    add("step_finished {} skipped={} {}", e.number, e.skipped, step_to_json(e).dump());
  }
  void case_finished(const case_report& e) override {
    add("case_finished {} {}", to_string(e.status), case_to_json(e).dump());
  }
  void suite_finished(const suite_stats& e) override {
    add("suite_finished {} {} {} {}", e.name, e.file, e.seconds, totals_to_json(e.totals).dump());
  }
  void run_finished(const run_stats& e) override {
    add("run_finished {} {} {} {}", e.started_at, e.seconds, e.interrupted,
        totals_to_json(e.totals).dump());
  }

 private:
  template <class... Args>
  void add(fmt::format_string<Args...> format, Args&&... args) {
    events.push_back(tag_ + fmt::format(format, std::forward<Args>(args)...));
  }
  std::string tag_;
};

step_report sample_step(int number) {
  step_report step;
  step.number = number;
  step.name = "mqtt publisher";
  step.where = {"s.yml", 7, 5};
  step.result = {{"error", ""}, {"messages", json::array({"\xC3\xA9t\xC3\xA9"})}};
  assertion_outcome outcome;
  outcome.text = "result.error ShouldBeEmpty";
  outcome.passed = true;
  outcome.where = {"s.yml", 9, 7};
  step.assertions.push_back(outcome);
  step.seconds = 0.25;
  step.tries = 2;
  step.info = {"sent 1"};
  step.iteration = "index 0";
  return step;
}

/// Every kind of event, a skipped case and a skipped step among them.
void every_event(reporter& r) {
  r.run_started({"2024-05-06T07:08:09Z"});
  r.suite_started({"suite", "s.yml"});
  r.case_started({"first", {"s.yml", 4, 3}});
  r.step_started({1, "mqtt publisher", {"s.yml", 7, 5}});
  r.trace({std::chrono::system_clock::time_point(std::chrono::microseconds(1715000000123456)),
           "> CONNECT tcp://127.0.0.1:1883"});
  step_report ran = sample_step(1);
  r.step_finished(ran);
  r.step_started({2, "skipped one", {"s.yml", 12, 5}});
  step_report skipped;
  skipped.number = 2;
  skipped.name = "skipped one";
  skipped.skipped = true;
  skipped.skip_reason = "a ShouldEqual b";
  skipped.result = json::object();
  r.step_finished(skipped);
  case_report first;
  first.name = "first";
  first.where = {"s.yml", 4, 3};
  first.seconds = 0.5;
  first.steps = {ran, skipped};
  r.case_finished(first);
  r.case_started({"second", {"s.yml", 20, 3}});
  case_report second;
  second.name = "second";
  second.where = {"s.yml", 20, 3};
  second.status = verdict::skipped;
  second.skip_reason = "env ShouldEqual ci";
  r.case_finished(second);
  r.suite_finished({"suite", "s.yml", 0.75, {1, 0, 1}});
  r.run_finished({"2024-05-06T07:08:09Z", 1.5, true, {1, 0, 1}});
}

}  // namespace

TEST_CASE("multi_reporter hands every event to each reporter, in the order added") {
  recorder a("a: "), b("b: ");
  multi_reporter both;
  both.add(a);
  both.add(b);
  every_event(both);
  recorder alone;
  every_event(alone);
  REQUIRE(a.events.size() == 13);
  for (std::size_t i = 0; i < alone.events.size(); ++i) {
    CHECK(a.events[i] == "a: " + alone.events[i]);
    CHECK(b.events[i] == "b: " + alone.events[i]);
  }
  multi_reporter none;
  every_event(none);  // no reporter: nothing to do, nothing breaks
}

TEST_CASE("multi_reporter: a reporter failing at run_finished keeps the others, error kept") {
  // A report file that cannot be written: the run happened, the other
  // reports must still be written, and the caller says what failed.
  struct failing : reporter {
    void run_finished(const run_stats&) override {
      throw std::runtime_error("cannot write out/r.json: Is a directory");
    }
  } broken;
  recorder before("before: "), after("after: ");
  multi_reporter all;
  all.add(before);
  all.add(broken);
  all.add(after);
  every_event(all);
  CHECK(before.events.back().starts_with("before: run_finished"));
  CHECK(after.events.back().starts_with("after: run_finished"));
  CHECK(all.failures() == std::vector<std::string>{"cannot write out/r.json: Is a directory"});
}

TEST_CASE("event stream: every event kind decodes to the event that was encoded") {
  event_line_buffer encoded;
  every_event(encoded);
  REQUIRE(encoded.lines.size() == 13);
  for (const std::string& line : encoded.lines) CHECK(line.find('\n') == std::string::npos);
  CHECK(encoded.lines[8].find("\"steps\"") == std::string::npos);  // steps came just before

  recorder original, decoded;
  every_event(original);
  event_decoder decoder(decoded);
  for (const std::string& line : encoded.lines) decoder.decode(line);
  CHECK(decoded.events == original.events);
  CHECK(decoded.events[4] == "trace 1715000000123456 > CONNECT tcp://127.0.0.1:1883");
  CHECK(decoded.events[7].find("skipped=true") != std::string::npos);
  CHECK(decoded.events[10].rfind("case_finished skipped ", 0) == 0);
}

TEST_CASE("event stream: the writer puts one line per event on a file descriptor") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  {
    event_stream_writer writer(fileno(file));
    every_event(writer);
  }
  std::rewind(file);
  std::string text;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, file)) text.append(buffer, n);
  std::fclose(file);
  event_line_buffer expected;
  every_event(expected);
  std::string joined;
  for (const std::string& line : expected.lines) joined += line + "\n";
  CHECK(text == joined);

  event_stream_writer closed(-1);
  CHECK_THROWS_WITH_AS(closed.run_started({"x"}),
                       "cannot write run events to file descriptor -1: Bad file descriptor",
                       std::runtime_error);
}

TEST_CASE("event stream: a line that is not an event is an error that says so") {
  recorder r;
  event_decoder decoder(r);
  CHECK_THROWS_WITH_AS(decoder.decode(R"({"event": "lunch"})"), "unknown event \"lunch\"",
                       std::runtime_error);
  CHECK_THROWS_AS(decoder.decode("{\"event\": \"suite_started\"}"), std::runtime_error);
  CHECK_THROWS_AS(decoder.decode("not json"), std::runtime_error);
  CHECK(r.events.empty());
}

TEST_CASE("cumulative reporter: the events of a run rebuild the run that run_suites returns") {
  // No broker listens on port 1: the steps fail fast with a connection error.
  temp_dir dir;
  std::ofstream(dir.path / "a.yml") << R"(name: events a
vars:
  token: s3cr3t
secrets: [token]
testcases:
- name: refused with s3cr3t
  steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    messages: [{topic: "t/{{.token}}", payload: x}]
  - name: never
    type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    messages: [{topic: t, payload: x}]
- name: skipped case
  skip: [token ShouldEqual other]
  steps:
  - {type: mqtt, addrs: tcp://127.0.0.1:1, clientType: publisher, messages: [{topic: t, payload: x}]}
- name: skipped step and an empty range
  steps:
  - type: mqtt
    skip: [token ShouldEqual other]
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    messages: [{topic: t, payload: x}]
  - type: mqtt
    range: []
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    messages: [{topic: t, payload: x}]
)";
  std::ofstream(dir.path / "b.yml") << R"(testcases:
- name: bad vars
  vars:
    x: "{{.undefined}}"
  steps:
  - {type: mqtt, addrs: tcp://127.0.0.1:1, clientType: publisher, messages: [{topic: t, payload: x}]}
)";
  static const step_registry kinds{&mqtt_step_kind};
  std::vector<suite> suites{load_suite((dir.path / "a.yml").string(), kinds),
                            load_suite((dir.path / "b.yml").string(), kinds)};
  run_options options;
  options.verbosity = 2;
  cumulative_reporter collected;
  event_line_buffer stream;
  recorder seen;
  multi_reporter events;
  events.add(collected);
  events.add(stream);
  events.add(seen);
  run_report run = run_suites(suites, options, events);

  CHECK(run.totals().failed == 2);
  CHECK(run.totals().skipped == 1);
  CHECK(run_to_json(collected.run()) == run_to_json(run));
  // Through the stream and back: the same run again.
  cumulative_reporter decoded;
  event_decoder decoder(decoded);
  for (const std::string& line : stream.lines) decoder.decode(line);
  CHECK(run_to_json(decoded.run()) == run_to_json(run));

  std::string all;
  for (const std::string& e : seen.events) all += e + "\n";
  CHECK(all.find("s3cr3t") == std::string::npos);  // masked before any event leaves the runner
  CHECK(all.find("case_started refused with **** ") != std::string::npos);
  CHECK(all.find("\ntrace ") != std::string::npos);  // -vv: the MQTT traffic
  CHECK(all.find("case_finished skipped ") != std::string::npos);
  CHECK(all.find("skipped=true") != std::string::npos);
  CHECK(seen.events.front().rfind("run_started ", 0) == 0);
  CHECK(seen.events.back().rfind("run_finished ", 0) == 0);
}
