// AsyncAPI 2.6 and 3.0 documents (testsuites/asyncapi/), their $refs into
// other files, broken documents, and the suites generated from them.
#include "contracts/asyncapi.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "contracts/asyncapi_suites.h"
#include "contracts/contract_check.h"
#include "executor/assert/json_schema.h"
#include "executor/core/errors.h"
#include "executor/suite/loader.h"
#include "steps/mqtt/mqtt_step.h"
#include "steps/registry.h"
#include "tests/source_paths.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using namespace mqttest;

namespace {

const std::string kDocs = mqttest::testing::source_dir() + "/testsuites/asyncapi/";

std::string read_error(const temp_dir& dir, const std::string& text) {
  std::string path = dir.write("doc.yaml", text);
  try {
    read_asyncapi(path);
  } catch (const config_error& e) {
    std::string message = e.what();
    for (std::size_t at; (at = message.find(path)) != std::string::npos;)
      message.replace(at, path.size(), "D");
    return message.substr(0, message.find('\n'));
  }
  return "<no error>";
}

const asyncapi_channel& channel_at(const asyncapi_document& doc, const std::string& address) {
  for (const auto& c : doc.channels)
    if (c.address == address) return c;
  FAIL("no channel " << address);
  return doc.channels.front();
}

const std::string kMeasured = "smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured";
const std::string kTurnOn = "smartylighting/streetlights/1/0/action/{streetlightId}/turn/on";
const std::string kDim = "smartylighting/streetlights/1/0/action/{streetlightId}/dim";

const json kSentAt = {{"type", "string"},
                      {"format", "date-time"},
                      {"description", "Date and time when the message was sent."}};

/// What both streetlights documents say, whatever their version.
void check_streetlights(const asyncapi_document& doc) {
  CHECK(doc.title == "Streetlights MQTT API");
  CHECK(doc.server_url == "tcp://localhost:1883");
  CHECK(doc.clean_session == true);
  REQUIRE(doc.channels.size() == 3);

  const asyncapi_channel& measured = channel_at(doc, kMeasured);
  CHECK(measured.filter == "smartylighting/streetlights/1/0/event/+/lighting/measured");
  CHECK(measured.example_topic == "smartylighting/streetlights/1/0/event/7/lighting/measured");
  CHECK(measured.qos == 1);
  REQUIRE(measured.messages.size() == 1);
  CHECK(measured.messages[0].name == "lightMeasured");
  CHECK(measured.messages[0].examples ==
        std::vector<json>{json::parse(R"({"id": 7, "lumens": 3, "sentAt": "2026-01-01T17:30:00Z"})"),
                          json::parse(R"({"id": 7, "lumens": 1200, "sentAt": "2026-01-01T12:00:00Z"})")});
  const json& payload = measured.messages[0].payload;
  CHECK(payload["required"] == json{"lumens", "sentAt"});
  CHECK(payload["properties"]["sentAt"] == kSentAt);  // from the other file

  const asyncapi_channel& on = channel_at(doc, kTurnOn);
  CHECK(on.messages.at(0).payload["properties"]["command"]["enum"] == json{"on", "off"});
  CHECK(on.messages.at(0).examples.size() == 1);

  const asyncapi_channel& dim = channel_at(doc, kDim);
  CHECK(dim.qos == std::nullopt);
  CHECK(dim.messages.at(0).name == "dimLight");
  CHECK(dim.messages.at(0).payload["properties"]["percentage"]["maximum"] == 100);
  CHECK(dim.messages.at(0).payload["properties"]["sentAt"] == kSentAt);  // a $ref inside that file
}

}  // namespace

TEST_CASE("AsyncAPI 2.6: channels, parameters, bindings, $refs into another file") {
  asyncapi_document doc = read_asyncapi(kDocs + "streetlights-2.6.yaml");
  CHECK(doc.version == "2.6.0");
  CHECK(doc.client_id == "streetlights-contract");
  check_streetlights(doc);
  CHECK(channel_at(doc, kMeasured).id == kMeasured);
  CHECK(channel_at(doc, kMeasured).retain == false);
  CHECK(channel_at(doc, kDim).messages.at(0).examples.empty());
}

TEST_CASE("AsyncAPI 3.0: addresses, operations pointing at channels, multi-format payloads") {
  asyncapi_document doc = read_asyncapi(kDocs + "streetlights-3.0.yaml");
  CHECK(doc.version == "3.0.0");
  CHECK(doc.client_id == "streetlights3-contract");
  check_streetlights(doc);
  CHECK(channel_at(doc, kMeasured).id == "lightingMeasured");
  CHECK(channel_at(doc, kDim).messages.at(0).examples.size() == 1);
}

TEST_CASE("a JSON document with oneOf messages and a full server URL") {
  temp_dir dir;
  std::string path = dir.write("doc.json", R"({
    "asyncapi": "2.4.0",
    "info": {"title": "t", "version": "1"},
    "servers": {"a": {"url": "mqtts://broker.example:8883", "protocol": "secure-mqtt"}},
    "channels": {"plain/topic": {"subscribe": {"message": {"oneOf": [
      {"name": "a", "payload": {"type": "integer"}},
      {"name": "b", "payload": {"type": "string"}}]}}}}})");
  asyncapi_document doc = read_asyncapi(path);
  CHECK(doc.server_url == "mqtts://broker.example:8883");
  REQUIRE(doc.channels.size() == 1);
  CHECK(doc.channels[0].filter == "plain/topic");
  CHECK(doc.channels[0].example_topic == "plain/topic");
  CHECK(doc.channels[0].payload_schema() ==
        json::parse(R"({"anyOf": [{"type": "integer"}, {"type": "string"}]})"));
}

TEST_CASE("broken AsyncAPI documents: errors with file:line:col") {
  temp_dir dir;
  const std::string head = "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\n";
  CHECK(read_error(dir, "asyncapi: 1.2.0\nchannels: {}\n") ==
        "D:1:11: unsupported AsyncAPI version \"1.2.0\" (mqttest reads 2.x and 3.0)");
  CHECK(read_error(dir, "openapi: 3.0.0\n") ==
        "D:1:1: not an AsyncAPI document: no \"asyncapi\" key with its version");
  CHECK(read_error(dir, head) == "D:1:1: the document has no \"channels\"");
  CHECK(read_error(dir, head + "channels:\n  a/b:\n    subscribe:\n      message:\n"
                               "        $ref: '#/components/messages/nope'\n") ==
        "D:7:15: dangling $ref \"#/components/messages/nope\": this document has nothing at "
        "#/components/messages/nope");
  CHECK(read_error(dir, head + "channels:\n  a/b:\n    subscribe:\n      message:\n"
                               "        $ref: 'missing.yaml#/m'\n")
            .starts_with("D:7:15: $ref \"missing.yaml#/m\": cannot read file: No such file"));
  CHECK(read_error(dir, head + "channels:\n  a/b:\n    subscribe:\n      message:\n"
                               "        $ref: 'https://example.com/m.yaml'\n") ==
        "D:7:15: $ref \"https://example.com/m.yaml\": only local files can be referenced");
  CHECK(read_error(dir, head + "channels:\n  a/b:\n    subscribe:\n      message: {$ref: '#/x'}\n"
                               "x: {$ref: '#/x'}\n") ==
        "D:7:11: $ref loop: the references lead back to themselves");
  CHECK(read_error(dir, head + "channels: [a]\n") == "D:3:11: \"channels\" must be a map");
}

TEST_CASE("generated suites load, name their schema, and the examples match it") {
  asyncapi_document doc = read_asyncapi(kDocs + "streetlights-3.0.yaml");
  std::vector<generated_file> files = generate_suites(doc);
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.name);
  CHECK(names == std::vector<std::string>{"lightTurnOn.yml", "lightTurnOn.schema.json",
                                          "lightingMeasured.yml", "lightingMeasured.schema.json",
                                          "lightsDim.yml", "lightsDim.schema.json"});
  temp_dir dir;
  for (const auto& f : files) dir.write(f.name, f.text);
  static const step_registry kinds{&mqtt_step_kind};
  suite measured = load_suite((dir.path / "lightingMeasured.yml").string(), kinds);
  CHECK(measured.vars["addrs"] == "tcp://localhost:1883");
  REQUIRE(measured.cases.size() == 1);
  const auto& steps = measured.cases[0].steps;
  REQUIRE(steps.size() == 4);
  CHECK(steps[0].fields["clientType"] == "persistent_queue");
  CHECK(steps[0].fields["clientId"] == "streetlights3-contract-lightingMeasured");
  CHECK(steps[1].fields["messages"].size() == 2);
  CHECK(steps[1].fields["messages"][0]["topic"] ==
        "smartylighting/streetlights/1/0/event/7/lighting/measured");
  CHECK(json::parse(steps[1].fields["messages"][1]["payload"].get<std::string>()) ==
        json::parse(R"({"id": 7, "lumens": 1200, "sentAt": "2026-01-01T12:00:00Z"})"));
  CHECK(steps[2].fields["topics"] == json{"smartylighting/streetlights/1/0/event/+/lighting/measured"});
  CHECK(steps[2].fields["messageLimit"] == 2);
  CHECK(steps[2].fields["qos"] == 1);
  CHECK(steps[2].assertions.at(1).text ==
        "result.messagesjson ShouldAllMatchJSONSchema lightingMeasured.schema.json");
  CHECK(steps[3].fields["persistSubscription"] == false);

  // A channel without examples: a subscriber waits for live traffic.
  asyncapi_document doc26 = read_asyncapi(kDocs + "streetlights-2.6.yaml");
  std::filesystem::create_directories(dir.path / "v26");
  for (const auto& f : generate_suites(doc26)) dir.write("v26/" + f.name, f.text);
  std::string dim_name = "v26/" + file_slug(kDim) + ".yml";
  suite dim = load_suite((dir.path / dim_name).string(), kinds);
  REQUIRE(dim.cases.at(0).steps.size() == 1);
  CHECK(dim.cases[0].steps[0].fields["clientType"] == "subscriber");
  CHECK(dim.cases[0].steps[0].fields["clientId"] == "streetlights-contract");
  CHECK(dim.cases[0].steps[0].fields["persistSubscription"] == false);
  CHECK(dim.cases[0].steps[0].fields["topics"] ==
        json{"smartylighting/streetlights/1/0/action/+/dim"});

  json_schema schema(json::parse(files[3].text), "", "measured");
  for (const json& example : doc.channels[1].messages[0].examples)
    CHECK(schema.validate(example).empty());
}

TEST_CASE("the committed example suites are what asyncapi gen writes") {
  asyncapi_document doc = read_asyncapi(kDocs + "streetlights-3.0.yaml");
  for (const generated_file& f : generate_suites(doc)) {
    CAPTURE(f.name);
    std::ifstream in(mqttest::testing::source_dir() + "/testsuites/examples/contracts/asyncapi/" +
                     f.name);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == f.text);
  }
}

TEST_CASE("check_contract: per channel, messages seen and violations with pointers") {
  asyncapi_document doc = read_asyncapi(kDocs + "streetlights-2.6.yaml");
  std::vector<observed_message> traffic = {
      {"smartylighting/streetlights/1/0/event/3/lighting/measured",
       R"({"lumens": 10, "sentAt": "2026-01-01T00:00:00Z"})"},
      {"smartylighting/streetlights/1/0/event/4/lighting/measured", R"({"lumens": -5})"},
      {"smartylighting/streetlights/1/0/action/4/dim", "dim please"},
  };
  auto verdicts = check_contract(doc, traffic);
  REQUIRE(verdicts.size() == 3);
  CHECK(contract_report_text(verdicts) ==
        "FAIL  " + kDim + "  (smartylighting/streetlights/1/0/action/+/dim): 1 message, 1 violation\n"
        "      smartylighting/streetlights/1/0/action/4/dim message [0]: (root): the payload is "
        "not JSON (value \"dim please\")\n"
        "NO TRAFFIC  " + kTurnOn + "  (smartylighting/streetlights/1/0/action/+/turn/on)\n"
        "FAIL  " + kMeasured + "  (smartylighting/streetlights/1/0/event/+/lighting/measured): "
        "2 messages, 2 violations\n"
        "      smartylighting/streetlights/1/0/event/4/lighting/measured message [1]: /lumens: "
        "Expected number greater than or equal to 0.000000 (value -5)\n"
        "      smartylighting/streetlights/1/0/event/4/lighting/measured message [1]: (root): "
        "Missing required property 'sentAt'. (value {\"lumens\":-5})\n"
        "3 channels: 3 messages, 3 violations, 1 without traffic\n");
  json report = contract_report_json(verdicts);
  CHECK(report["violations"] == 3);
  CHECK(report["silent"] == 1);
  CHECK(report["channels"][2]["violations"][0] ==
        json{{"topic", "smartylighting/streetlights/1/0/event/4/lighting/measured"},
             {"index", 1}, {"pointer", "/lumens"},
             {"rule", "Expected number greater than or equal to 0.000000"}, {"value", -5}});
}
