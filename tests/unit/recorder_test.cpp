// mqttest record's suite writer: what it asserts about observed messages, the
// inferred schemas, and that the suite it writes loads and passes on the very
// messages it came from (and fails on different ones).
#include "contracts/recorder.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "executor/assert/assertions.h"
#include "executor/assert/json_schema.h"
#include "executor/suite/loader.h"
#include "steps/mqtt/mqtt_step.h"
#include "steps/registry.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using namespace mqttest;

namespace {

const step_registry& mqtt_kinds() {
  static const step_registry kinds{&mqtt_step_kind};
  return kinds;
}

std::vector<observed_message> traffic() {
  return {
      {"sensors/1/temp", R"({"id":"s1","unit":"C","value":20.5,"ok":true,"pos":{"x":1,"y":2}})"},
      {"devices/1/status", "online"},
      {"sensors/1/temp", R"({"id":"s1","unit":"C","value":23,"ok":true,"pos":{"x":1,"y":5}})"},
      {"devices/1/status", "online"},
      {"sensors/1/temp", R"({"id":"s1","unit":"C","value":21,"ok":true,"pos":{"x":1,"y":3},"extra":[1]})"},
      {"events", "{\"a.b\": 1, \"n\": 7}"},
  };
}

/// The result a subscriber step on `topic` gives for these messages.
json result_for(const std::vector<observed_message>& messages, const std::string& topic) {
  json result{{"error", ""}, {"received", 0}, {"topics", json::array()},
              {"messages", json::array()}, {"messagesjson", json::array()}};
  for (const auto& m : messages) {
    if (m.topic != topic) continue;
    result["received"] = result["received"].get<int>() + 1;
    result["topics"].push_back(m.topic);
    result["messages"].push_back(m.payload);
    json value = json::parse(m.payload, nullptr, false);
    result["messagesjson"].push_back(value.is_discarded() ? json() : value);
  }
  return result;
}

/// Writes the recorded suite and its files into `dir` and loads it.
suite write_and_load(const temp_dir& dir, const recorded_suite& recorded) {
  for (const auto& [name, text] : recorded.files) {
    std::filesystem::create_directories((dir.path / name).parent_path());
    std::ofstream(dir.path / name) << text;
  }
  std::ofstream(dir.path / "recorded.yml") << recorded.text;
  return load_suite((dir.path / "recorded.yml").string(), mqtt_kinds());
}

/// The failed assertions of `step` against `result`, as "text: message".
std::vector<std::string> failures(const step_spec& step, const json& result) {
  std::vector<std::string> out;
  for (const assertion& a : step.assertions) {
    assertion_outcome o = evaluate(a, json{{"result", result}}, [](const std::string& t) { return t; });
    if (!o.passed) out.push_back(o.text + ": " + o.message);
  }
  return out;
}

std::vector<std::string> texts(const step_spec& step) {
  std::vector<std::string> out;
  for (const assertion& a : step.assertions) out.push_back(a.text);
  return out;
}

}  // namespace

TEST_CASE("one subscriber step per topic, asserting what every sample shared") {
  record_options options;
  options.addrs = "tcp://127.0.0.1:1883";
  options.wait_ms = 1500;
  recorded_suite recorded = record_suite(traffic(), options);
  CHECK(recorded.topics == 3);
  CHECK(recorded.files.empty());
  CHECK(recorded.text.starts_with(
      "# Recorded by mqttest record from tcp://127.0.0.1:1883: 6 messages on 3 topics in 1500 "
      "ms.\n"));

  temp_dir dir;
  suite loaded = write_and_load(dir, recorded);
  CHECK(loaded.vars["addrs"] == "tcp://127.0.0.1:1883");
  REQUIRE(loaded.cases.size() == 3);
  CHECK(loaded.cases[0].name == "sensors/1/temp");
  CHECK(loaded.cases[1].name == "devices/1/status");
  CHECK(loaded.cases[2].name == "events");

  const step_spec& temp = loaded.cases[0].steps.at(0);
  CHECK(temp.fields["clientType"] == "subscriber");
  CHECK(temp.fields["topics"] == json{"sensors/1/temp"});
  CHECK(temp.fields["messageLimit"] == 3);
  CHECK(temp.fields["timeout"] == 3500);
  CHECK(temp.fields["addrs"] == "{{.addrs}}");
  const std::string m = "result.messagesjson.messagesjson0";
  CHECK(texts(temp) == std::vector<std::string>{
                           "result.error ShouldBeEmpty",
                           "result.received ShouldEqual 3",
                           m + ".__Type__ ShouldEqual Map",
                           m + ".id.__Type__ ShouldEqual String",
                           m + ".id ShouldEqual \"s1\"",
                           m + ".ok.__Type__ ShouldEqual Bool",
                           m + ".ok ShouldEqual true",
                           m + ".pos.__Type__ ShouldEqual Map",
                           m + ".pos.x.__Type__ ShouldEqual Number",
                           m + ".pos.x ShouldEqual 1",
                           m + ".pos.y.__Type__ ShouldEqual Number",
                           m + ".pos.y ShouldBeBetweenOrEqual 2 5",
                           m + ".unit.__Type__ ShouldEqual String",
                           m + ".unit ShouldEqual \"C\"",
                           m + ".value.__Type__ ShouldEqual Number",
                           m + ".value ShouldBeBetweenOrEqual 20.5 23",
                       });
  CHECK(texts(loaded.cases[1].steps.at(0)) ==
        std::vector<std::string>{"result.error ShouldBeEmpty", "result.received ShouldEqual 2",
                                 "result.messages.messages0 ShouldEqual \"online\""});
  // One sample: types only; a key the result path cannot name is left out.
  CHECK(texts(loaded.cases[2].steps.at(0)) ==
        std::vector<std::string>{"result.error ShouldBeEmpty", "result.received ShouldEqual 1",
                                 m + ".__Type__ ShouldEqual Map",
                                 m + ".n.__Type__ ShouldEqual Number"});

  for (std::size_t i = 0; i < loaded.cases.size(); ++i) {
    CAPTURE(loaded.cases[i].name);
    CHECK(failures(loaded.cases[i].steps.at(0), result_for(traffic(), loaded.cases[i].name))
              .empty());
  }
  json different = result_for(traffic(), "sensors/1/temp");
  different["messagesjson"][0]["value"] = 99;
  different["messagesjson"][0]["unit"] = "F";
  CHECK(failures(temp, different) ==
        std::vector<std::string>{
            m + ".unit ShouldEqual \"C\": expected \"C\" but was \"F\"",
            m + ".value ShouldBeBetweenOrEqual 20.5 23: expected a value between 20.5 and 23 "
                "(inclusive) but was 99"});
}

TEST_CASE("--schema: one inferred schema per topic, checked on every message") {
  record_options options;
  options.addrs = "tcp://127.0.0.1:1883";
  options.schema = true;
  recorded_suite recorded = record_suite(traffic(), options);
  REQUIRE(recorded.files.size() == 3);
  CHECK(recorded.files.count("schemas/sensors_1_temp.json") == 1);
  CHECK(recorded.files.count("schemas/devices_1_status.json") == 1);
  CHECK(recorded.files.count("schemas/events.json") == 1);
  CHECK(json::parse(recorded.files["schemas/devices_1_status.json"]) ==
        json{{"$schema", "http://json-schema.org/draft-07/schema#"}, {"type", "null"}});

  temp_dir dir;
  suite loaded = write_and_load(dir, recorded);
  const step_spec& temp = loaded.cases[0].steps.at(0);
  CHECK(texts(temp).back() ==
        "result.messagesjson ShouldAllMatchJSONSchema schemas/sensors_1_temp.json");
  for (std::size_t i = 0; i < loaded.cases.size(); ++i)
    CHECK(failures(loaded.cases[i].steps.at(0), result_for(traffic(), loaded.cases[i].name))
              .empty());
  json different = result_for(traffic(), "sensors/1/temp");
  different["messagesjson"][2]["pos"]["x"] = "one";
  auto failed = failures(temp, different);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0] ==
        "result.messagesjson ShouldAllMatchJSONSchema schemas/sensors_1_temp.json: message [2] "
        "of 3 does not match JSON Schema schemas/sensors_1_temp.json: /pos/x: Value type not "
        "permitted by 'type' constraint. (value \"one\")");
}

TEST_CASE("infer_schema merges types, marks keys seen everywhere as required") {
  json schema = infer_schema({json::parse(R"({"a": 1, "b": "x", "l": [1, 2.5]})"),
                              json::parse(R"({"a": 2.5, "l": [], "n": null})")});
  CHECK(schema == json::parse(R"({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["a", "l"],
    "properties": {
      "a": {"type": "number"},
      "b": {"type": "string"},
      "l": {"type": "array", "items": {"type": "number"}},
      "n": {"type": "null"}
    }})"));
  CHECK(infer_schema({json(1), json("x")})["type"] == json{"integer", "string"});
  json_schema compiled(infer_schema({json::parse(R"({"a": 1})")}), "", "inferred");
  CHECK(compiled.validate(json::parse(R"({"a": 3, "z": 0})")).empty());
  CHECK(compiled.validate(json::parse(R"({"z": 0})")).size() == 1);
}
