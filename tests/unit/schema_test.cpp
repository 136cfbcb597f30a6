// schemas/testsuite.schema.json against what runs: the mqtt field tables, the
// example suites, and schema problems with their positions.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>

#include "executor/core/document.h"
#include "executor/suite/loader.h"
#include "executor/suite/schema_validation.h"
#include "steps/mqtt/mqtt_config.h"

namespace fs = std::filesystem;
using namespace mqttest;
using nlohmann::json;

namespace {

/// The schema's JSON type for a field type; "" for one this test does not know.
std::string json_type(field_type type) {
  switch (type) {
    case field_type::string:
    case field_type::client_type: return "string";
    case field_type::boolean: return "boolean";
    case field_type::integer: return "integer";
    case field_type::string_list:
    case field_type::message_list: return "array";
    case field_type::topic_list: return "array";
    case field_type::choice: return "string";
    case field_type::map:
    case field_type::string_map:
    case field_type::any: return "object";
    default: return "";
  }
}

/// The typed alternative of a schema property: itself, or the first of anyOf.
const json& typed(const json& property) {
  auto any = property.find("anyOf");
  return any != property.end() ? any->front() : property;
}

/// Every mismatch between a field table and the schema's properties, one per line.
std::string drift(const std::vector<field_spec>& table, const json& properties,
                  const std::string& where, const std::vector<std::string>& generic) {
  std::string out;
  std::vector<std::string> names = generic;
  for (const field_spec& field : table) {
    std::string name(field.name);
    names.push_back(name);
    if (!properties.contains(name)) {
      out += fmt::format("{}: field \"{}\" is missing from schemas/testsuite.schema.json "
                         "(add it with type, default and description)\n", where, name);
      continue;
    }
    const json& property = properties[name];
    std::string type = json_type(field.type);
    if (type.empty())
      out += fmt::format("{}: field \"{}\" has a field_type unknown to schema_test.cpp's "
                         "json_type(): add it there\n", where, name);
    else if (typed(property).value("type", json()) != type)
      out += fmt::format("{}: field \"{}\": schema type {} but the table says {}\n", where, name,
                         typed(property).value("type", json()).dump(), type);
    json schema_default = property.value("default", json());
    if (schema_default != field.default_value)
      out += fmt::format("{}: field \"{}\": schema default {} but the table says {}\n", where,
                         name, schema_default.dump(), field.default_value.dump());
    if (field.type == field_type::integer) {
      if (typed(property).value("minimum", json()) != json(field.min) ||
          typed(property).value("maximum", json()) != json(field.max))
        out += fmt::format("{}: field \"{}\": schema range {}..{} but the table says {}..{}\n",
                           where, name, typed(property).value("minimum", json()).dump(),
                           typed(property).value("maximum", json()).dump(), field.min, field.max);
    }
    if (property.value("description", "") != field.description)
      out += fmt::format("{}: field \"{}\": schema description differs from the table's "
                         "(\"{}\")\n", where, name, field.description);
  }
  for (const auto& [name, property] : properties.items())
    if (std::find(names.begin(), names.end(), name) == names.end())
      out += fmt::format("{}: schema property \"{}\" is not in the field table\n", where, name);
  return out;
}

std::vector<std::string> problems_of(const std::string& text) {
  auto doc = parse_document(text, "s.yml");
  std::vector<std::string> out;
  for (const config_error& e : schema_problems(*doc)) out.push_back(e.what());
  return out;
}

}  // namespace

TEST_CASE("schema: every mqtt step field is in the schema with its type, range, default and "
          "description, and nothing else") {
  const json& definitions = testsuite_schema().at("definitions");
  std::vector<std::string> generic = {"type", "name", "info", "assertions", "skip",
                                      "range", "retry", "delay", "retry_if", "vars"};
  CHECK(drift(mqtt_step_fields(), definitions.at("mqttStep").at("properties"), "mqtt step",
              generic) == "");
  CHECK(drift(mqtt_message_fields(), definitions.at("mqttMessage").at("properties"),
              "mqtt message", {}) == "");
}

TEST_CASE("schema: the drift check names what is missing") {
  std::vector<field_spec> table = mqtt_step_fields();
  table.push_back({"lingerTime", field_type::integer, 60, 0, 65535, "", "", "seconds"});
  json properties = testsuite_schema().at("definitions").at("mqttStep").at("properties");
  properties.erase("timeout");
  std::string out = drift(table, properties, "mqtt step", {"type", "name", "info", "assertions",
                                                           "skip", "range", "retry", "delay",
                                                           "retry_if", "vars"});
  CHECK(out ==
        "mqtt step: field \"timeout\" is missing from schemas/testsuite.schema.json (add it with "
        "type, default and description)\n"
        "mqtt step: field \"lingerTime\" is missing from schemas/testsuite.schema.json (add it "
        "with type, default and description)\n");
}

TEST_CASE("schema: the example suites are valid") {
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(MQTTEST_SOURCE_DIR) / "testsuites/examples")) {
    if (entry.path().extension() != ".yml" && entry.path().extension() != ".yaml") continue;
    if (entry.path().parent_path().filename() == "lib") continue;  // user executors, not suites
    auto doc = load_document(entry.path().string());
    auto problems = schema_problems(*doc);
    CHECK_MESSAGE(problems.empty(), entry.path().string() << ": "
                                                          << (problems.empty() ? "" : problems.front().what()));
  }
}

TEST_CASE("schema: keys match case-insensitively, templates and numeric strings are allowed") {
  CHECK(problems_of("testcases:\n- steps:\n  - type: mqtt\n    ADDRS: tcp://h:1\n"
                    "    clienttype: publisher\n    QoS: '{{.q}}'\n    timeout: '100'\n"
                    "    messages: [{Topic: a, payload: 1}]\n")
            .empty());
}

TEST_CASE("schema: a problem is reported at the value, with the path and the source line") {
  auto problems = problems_of("testcases:\n- steps:\n  - type: mqtt\n    addrs: tcp://h:1\n"
                              "    clientType: publisher\n    qos: 7\n");
  REQUIRE_FALSE(problems.empty());
  CHECK(problems.front().rfind("s.yml:6:10: testcases[0].steps[0].qos: does not match the suite "
                               "schema: ", 0) == 0);
  CHECK(problems.front().find("    qos: 7\n") != std::string::npos);

  problems = problems_of("testcases:\n- steps:\n  - type: mqtt\n    addrs: tcp://h:1\n"
                         "    clientType: publisher\n    messages: [{topic: a, extra: 1}]\n");
  REQUIRE_FALSE(problems.empty());
  CHECK_MESSAGE(problems.front().rfind("s.yml:6:16: testcases[0].steps[0].messages[0]: does not match", 0) == 0, problems.front());
  CHECK(problems.front().find("extra") != std::string::npos);

  problems = problems_of("name: x\n");
  REQUIRE_FALSE(problems.empty());
  CHECK(problems.front().find("testcases") != std::string::npos);
}
