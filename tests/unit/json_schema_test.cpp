// ShouldMatchJSONSchema / ShouldAllMatchJSONSchema: schema files relative to
// the suite, inline schemas, load-time errors with positions, failure texts.
#include "executor/assert/json_schema.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "executor/assert/assertions.h"
#include "executor/core/document.h"
#include "executor/core/errors.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using namespace mqttest;

namespace {

const char* const kReading = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["id", "temperature"],
  "properties": {
    "id": {"type": "string"},
    "temperature": {"type": "number", "minimum": -40, "maximum": 100},
    "tags": {"type": "array", "items": {"type": "string", "minLength": 2}}
  }
})";

/// Loads `suite` (a YAML list of assertions) from `dir` and parses entry `i`.
assertion parse_in(const temp_dir& dir, const std::string& suite, std::size_t i = 0) {
  auto doc = load_document(dir.write("suite.yml", suite));
  return parse_assertion(*doc, json::json_pointer("/" + std::to_string(i)));
}

/// The load error of parsing `suite`'s first assertion, the folder blanked to "D".
std::string load_error(const temp_dir& dir, const std::string& suite) {
  try {
    parse_in(dir, suite);
  } catch (const config_error& e) {
    std::string text = e.what();
    std::string folder = dir.path.string();
    for (std::size_t at; (at = text.find(folder)) != std::string::npos;)
      text.replace(at, folder.size(), "D");
    return text;
  }
  return "<no error>";
}

std::string same(const std::string& text) { return text; }

assertion_outcome check(const assertion& a, const json& result) {
  return evaluate(a, json{{"result", result}}, same);
}

}  // namespace

TEST_CASE("violations name the JSON pointer, the rule and the value") {
  json_schema schema(json::parse(kReading), "", "reading");
  CHECK(schema.validate(json{{"id", "a"}, {"temperature", 20}}).empty());

  auto found = schema.validate(json{{"id", "a"}, {"temperature", 120}, {"tags", {"ok", "x"}}});
  REQUIRE(found.size() == 2);
  CHECK(found[0].pointer == "/tags/1");
  CHECK(found[0].rule == "String should be no fewer than 2 characters in length.");
  CHECK(found[0].value == "x");
  CHECK(found[1].pointer == "/temperature");
  CHECK(found[1].rule == "Expected number less than or equal to 100.000000");
  CHECK(found[1].value == 120);

  auto missing = schema.validate(json{{"temperature", "hot"}});
  REQUIRE(missing.size() == 2);
  CHECK(missing[0].pointer == "/temperature");
  CHECK(missing[0].rule == "Value type not permitted by 'type' constraint.");
  CHECK(missing[1].pointer == "");
  CHECK(missing[1].rule == "Missing required property 'id'.");
}

TEST_CASE("2020-12 documents: $defs and $ref are read with draft-07 rules") {
  json_schema schema(json::parse(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array", "items": {"$ref": "#/$defs/level"},
    "$defs": {"level": {"enum": ["low", "high"]}}})"),
                     "", "levels");
  CHECK(schema.validate(json{"low", "high"}).empty());
  auto found = schema.validate(json{"low", "medium"});
  REQUIRE(found.size() == 1);
  CHECK(found[0].pointer == "/1");
  CHECK(found[0].value == "medium");
}

TEST_CASE("a schema that is not one is an error naming the problem") {
  CHECK_THROWS_WITH_AS(json_schema(json{{"type", "objectx"}}, "", "x"),
                       "invalid JSON Schema: Unrecognised JSON type name 'objectx'",
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(json_schema(json(42), "", "x"),
                       "a JSON Schema must be an object or a boolean, got 42", std::runtime_error);
  CHECK_THROWS_WITH_AS(
      json_schema(json::parse(R"({"$ref": "https://example.com/s.json"})"), "", "x"),
      "invalid JSON Schema: $ref \"https://example.com/s.json\": only local files can be "
      "referenced",
      std::runtime_error);
}

TEST_CASE("a schema file is found relative to the suite, in JSON or YAML, with local $refs") {
  temp_dir dir;
  dir.write("schemas/reading.json", kReading);
  dir.write("schemas/level.yaml", "type: string\nenum: [low, high]\n");
  dir.write("schemas/alarm.yaml", "type: object\nproperties:\n  level: {$ref: level.yaml}\n");
  assertion a = parse_in(dir, R"(
- result.messagesjson.messagesjson0 ShouldMatchJSONSchema schemas/reading.json
- result.messagesjson ShouldAllMatchJSONSchema schemas/reading.json
- result.alarm MustMatchJSONSchema schemas/alarm.yaml
)");
  json result{{"messagesjson",
               {{{"id", "a"}, {"temperature", 20}}, {{"id", "b"}, {"temperature", 120}}}},
              {"alarm", {{"level", "mid"}}}};
  CHECK(check(a, result).passed);
  CHECK(check(a, result).expected == "schemas/reading.json");

  assertion all = parse_in(dir, "[result.messagesjson ShouldAllMatchJSONSchema schemas/reading.json]");
  assertion_outcome out = check(all, result);
  CHECK_FALSE(out.passed);
  CHECK(out.message ==
        "message [1] of 2 does not match JSON Schema schemas/reading.json: /temperature: "
        "Expected number less than or equal to 100.000000 (value 120)");

  assertion alarm = parse_in(dir, "[result.alarm MustMatchJSONSchema schemas/alarm.yaml]");
  out = check(alarm, result);
  CHECK_FALSE(out.passed);
  CHECK(out.must);
  CHECK(out.message ==
        "does not match JSON Schema schemas/alarm.yaml: /level: Failed to match against any enum "
        "values. (value \"mid\")");
}

TEST_CASE("a missing or broken schema file is a load error at the assertion") {
  temp_dir dir;
  dir.write("schemas/broken.json", "{\"type\": \"object\",\n  \"properties\": {\n");
  dir.write("schemas/wrong.json", R"({"type": "objectx"})");
  dir.write("schemas/dangling.json", R"({"$ref": "#/definitions/nope"})");

  std::string missing = load_error(dir, "- result.x ShouldMatchJSONSchema schemas/none.json\n");
  CHECK(missing.starts_with(
      "D/suite.yml:1:3: schema schemas/none.json: D/schemas/none.json: cannot read file: No "
      "such file or directory\n"));
  CHECK(missing.find("- result.x ShouldMatchJSONSchema schemas/none.json\n") != std::string::npos);
  std::string broken =
      load_error(dir, "- result.x ShouldAllMatchJSONSchema schemas/broken.json\n");
  CHECK(broken.starts_with("D/suite.yml:1:3: schema schemas/broken.json: D/schemas/broken.json:"));
  CHECK(broken.find(": YAML syntax error") != std::string::npos);
  CHECK(load_error(dir, "- result.x MustMatchJSONSchema schemas/wrong.json\n")
            .starts_with("D/suite.yml:1:3: schema schemas/wrong.json: invalid JSON Schema: "
                         "Unrecognised JSON type name 'objectx'\n"));
  CHECK(load_error(dir, "- result.x ShouldMatchJSONSchema schemas/dangling.json\n")
            .starts_with("D/suite.yml:1:3: schema schemas/dangling.json: invalid JSON Schema: "));
  CHECK(load_error(dir, "- result.x ShouldMatchJSONSchema\n")
            .starts_with("D/suite.yml:1:3: ShouldMatchJSONSchema takes 1 argument, got 0\n"));
  CHECK(load_error(dir, "- 'result.x ShouldMatchJSONSchema {\"type\": 5}'\n")
            .starts_with("D/suite.yml:1:3: invalid JSON Schema: "));
}

TEST_CASE("an inline schema in a variable is read when the assertion runs") {
  temp_dir dir;
  assertion a = parse_in(dir, "[\"result.value ShouldMatchJSONSchema {{.schema}}\"]");
  json schema{{"type", "object"}, {"required", {"id"}}};
  auto expand = [&](const std::string& text) {
    std::string out = text;
    out.replace(out.find("{{.schema}}"), 11, schema.dump());
    return out;
  };
  CHECK(evaluate(a, json{{"result", {{"value", {{"id", 1}}}}}}, expand).passed);
  assertion_outcome out = evaluate(a, json{{"result", {{"value", {{"x", 1}}}}}}, expand);
  CHECK_FALSE(out.passed);
  CHECK(out.message ==
        "does not match JSON Schema inline schema: (root): Missing required property 'id'. "
        "(value {\"x\":1})");

  // A YAML schema written out in a string keeps its lines.
  auto yaml = [](const std::string& text) {
    std::string expanded = text;
    expanded.replace(expanded.find("{{.schema}}"), 11, "\ntype: integer\nmaximum: 3\n");
    return expanded;
  };
  CHECK(evaluate(a, json{{"result", {{"value", 2}}}}, yaml).passed);
  CHECK(evaluate(a, json{{"result", {{"value", 4}}}}, yaml).message ==
        "does not match JSON Schema inline schema: (root): Expected number less than or equal "
        "to 3.000000 (value 4)");

  // A file named through a variable that does not exist fails when it runs.
  auto none = [](const std::string& text) {
    std::string expanded = text;
    expanded.replace(expanded.find("{{.schema}}"), 11, "absent.json");
    return expanded;
  };
  out = evaluate(a, json{{"result", {{"value", 1}}}}, none);
  CHECK_FALSE(out.passed);
  CHECK(out.message.starts_with("schema absent.json: "));
  CHECK(out.message.ends_with("absent.json: cannot read file: No such file or directory"));
}

TEST_CASE("messages held as JSON text are validated as the JSON they hold") {
  assertion a = parse_assertion_text(
      R"(result.messages ShouldAllMatchJSONSchema {"type":"object","required":["c"]})", {});
  CHECK(check(a, json{{"messages", {"{\"c\":1}", "{\"c\":2}"}}}).passed);
  assertion_outcome out = check(a, json{{"messages", {"{\"c\":1}", "hello", "{}"}}});
  CHECK_FALSE(out.passed);
  CHECK(out.message ==
        "message [1] of 3 does not match JSON Schema inline schema: (root): Value type not "
        "permitted by 'type' constraint. (value \"hello\")");
  assertion two = parse_assertion_text(
      R"(result.value ShouldMatchJSONSchema {"required": ["a", "b"]})", {});
  CHECK(check(two, json{{"value", json::object()}}).message ==
        "does not match JSON Schema inline schema: (root): Missing required property 'a'. "
        "(value {}); 1 more violation");
}

TEST_CASE("ShouldAllMatchJSONSchema wants a non-empty array") {
  assertion a = parse_assertion_text(R"(result.list ShouldAllMatchJSONSchema {"type":"object"})", {});
  CHECK(check(a, json{{"list", json::array()}}).message ==
        "expected a non-empty array whose every element matches JSON Schema inline schema but "
        "was []");
  CHECK(check(a, json{{"list", 5}}).message ==
        "expected a non-empty array whose every element matches JSON Schema inline schema but "
        "was 5");
  CHECK(check(a, json::object()).message.starts_with(
      "expected {\"type\":\"object\"} but result.list does not exist ("));
}

TEST_CASE("a schema file is read once per run") {
  temp_dir dir;
  std::string file = dir.write("once.json", R"({"type": "integer"})");
  auto first = resolve_schema("once.json", dir.path.string());
  dir.write("once.json", R"({"type": "string"})");
  auto second = resolve_schema("once.json", dir.path.string());
  CHECK(first == second);
  CHECK(second->validate(json(1)).empty());
  CHECK(resolve_schema(file, "/elsewhere") == first);
}
