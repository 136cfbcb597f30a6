// The spec-driven checks of steps/field_spec.h, on a table of every value type.

#include "steps/field_spec.h"

#include <doctest/doctest.h>

#include <climits>

#include "executor/core/errors.h"

using namespace mqttest;
using json = nlohmann::json;

namespace {

const field_table& inner_table() {
  static const field_table table = {"inner",
                                    "testInner",
                                    "Inner",
                                    {
                                        {.name = "id", .description = "the id", .required = true},
                                        {.name = "level",
                                         .type = value_type::integer,
                                         .description = "a level",
                                         .min = 1,
                                         .max = 9,
                                         .type_expect = "an integer",
                                         .range_expect = "1 to 9",
                                         .mqtt5 = true},
                                    }};
  return table;
}

const field_table& outer_table() {
  static const field_table table = {
      "thing",
      "testThing",
      "Thing",
      {
          {.name = "name", .description = "a name", .required = true, .needs_hint = " (a name)"},
          {.name = "count",
           .type = value_type::integer,
           .description = "how many",
           .default_value = 1,
           .max = 10,
           .type_expect = "an integer",
           .range_expect = "0 to 10"},
          {.name = "flag", .type = value_type::boolean, .description = "on or off"},
          {.name = "mode",
           .type = value_type::choice,
           .description = "speed",
           .choices = {"fast", "slow", 3},
           .range_expect = "fast, slow or 3"},
          {.name = "kind",
           .type = value_type::choice,
           .description = "kind",
           .choices = {"alpha", "beta"},
           .any_case = true,
           .suggest = true,
           .type_expect = "alpha or beta",
           .range_expect = "alpha or beta"},
          {.name = "tags", .type = value_type::string_list, .description = "tags"},
          {.name = "labels", .type = value_type::string_map, .description = "labels"},
          {.name = "note", .type = value_type::text, .description = "a note"},
          {.name = "value", .type = value_type::scalar, .description = "a value", .nullable = true},
          {.name = "inner", .type = value_type::map, .description = "one", .table = &inner_table()},
          {.name = "items",
           .type = value_type::map_list,
           .description = "many",
           .type_expect = "a list of maps",
           .table = &inner_table()},
          {.name = "entries",
           .type = value_type::map_list,
           .description = "names or maps",
           .type_expect = "a list of entries",
           .table = &inner_table(),
           .string_items = true,
           .items_expect = "\"entries\" entries must be names or maps"},
          {.name = "data", .type = value_type::any, .description = "anything"},
      }};
  return table;
}

position locate(const json::json_pointer& where) { return {"x" + where.to_string(), 1, 1}; }

/// "x/pointer: message" of the first problem, or "ok".
std::string problem(const json& fields, bool mqtt5 = false, bool lenient = true) {
  try {
    field_reader(fields, json::json_pointer(), outer_table(), locate, lenient).check(mqtt5);
  } catch (const config_error& e) {
    return e.where().file + ": " + e.message();
  }
  return "ok";
}

json with(std::string key, json value) {
  json fields = {{"name", "n"}};
  fields[key] = std::move(value);
  return fields;
}

}  // namespace

TEST_CASE("field spec: a valid map passes, keys in any case") {
  CHECK(problem({{"NAME", "n"},
                 {"count", "3"},
                 {"Flag", "TRUE"},
                 {"mode", 3},
                 {"kind", "Beta"},
                 {"tags", "one"},
                 {"labels", {{"a", 1}, {"b", true}}},
                 {"note", "x"},
                 {"value", nullptr},
                 {"inner", {{"id", "i"}}},
                 {"items", json::array({{{"id", "a"}}})},
                 {"entries", {"plain", {{"id", "b"}}}},
                 {"data", {{"any", json::array()}}}}) == "ok");
}

TEST_CASE("field spec: types") {
  CHECK(problem(with("count", "many")) == "x/count: \"count\" must be an integer, got \"many\"");
  CHECK(problem(with("count", 1.5)) == "x/count: \"count\" must be an integer, got 1.5");
  CHECK(problem(with("flag", "yes")) == "x/flag: \"flag\" must be true or false, got \"yes\"");
  CHECK(problem({{"name", 5}}) == "x/name: \"name\" must be a string, got 5");
  CHECK(problem(with("tags", {"a", 1})) == "x/tags/1: \"tags\" must be a list of strings");
  CHECK(problem(with("labels", {{"a", {1}}})) ==
        "x/labels/a: \"labels\" values must be strings, got [1]");
  CHECK(problem(with("labels", "{{.labels}}")) ==
        "x/labels: \"labels\" must be a map, got \"{{.labels}}\"");
  CHECK(problem(with("value", json::array())) == "x/value: \"value\" must be a string, got []");
  CHECK(problem(with("items", 5)) == "x/items: \"items\" must be a list of maps");
  CHECK(problem(with("items", {5})) == "x/items/0: inner must be a map");
  CHECK(problem(with("entries", {"a", 5})) ==
        "x/entries/1: \"entries\" entries must be names or maps");
}

TEST_CASE("field spec: text fields take only strings as written, any scalar once expanded") {
  CHECK(problem(with("note", 5)) == "x/note: \"note\" must be a string, got 5");
  CHECK(problem(with("note", 5), false, false) == "ok");
  json note = with("note", 5);
  field_reader expanded(note, json::json_pointer(), outer_table(), locate, false);
  CHECK(expanded.text("note") == "5");
  CHECK(problem(with("value", 5)) == "ok");
}

TEST_CASE("field spec: ranges and choices") {
  CHECK(problem(with("count", 11)) == "x/count: \"count\" must be 0 to 10, got 11");
  CHECK(problem(with("count", -1)) == "x/count: \"count\" must be 0 to 10, got -1");
  CHECK(problem(with("count", 10)) == "ok");
  CHECK(problem(with("mode", "FAST")) == "x/mode: \"mode\" must be fast, slow or 3, got \"FAST\"");
  CHECK(problem(with("mode", "3")) == "x/mode: \"mode\" must be fast, slow or 3, got \"3\"");
  CHECK(problem(with("kind", "alpah")) ==
        "x/kind: unknown kind \"alpah\" (did you mean \"alpha\"?)");
  CHECK(problem(with("kind", "zzzzzz")) ==
        "x/kind: unknown kind \"zzzzzz\" (expected alpha or beta)");
  CHECK(problem(with("kind", 3)) == "x/kind: \"kind\" must be alpha or beta, got 3");
  json kind = with("kind", "ALPHA");
  field_reader fields(kind, json::json_pointer(), outer_table(), locate, false);
  CHECK(fields.choice("kind") == "alpha");
}

TEST_CASE("field spec: templates are checked once expanded") {
  CHECK(problem(with("count", "{{.n}}")) == "ok");
  CHECK(problem(with("count", "{{.n}}"), false, false) ==
        "x/count: \"count\" must be an integer, got \"{{.n}}\"");
  CHECK(problem(with("items", "{{.items}}")) == "ok");
}

TEST_CASE("field spec: nested tables: required keys, unknown keys, values") {
  CHECK(problem(json::object()) == "x: thing needs \"name\" (a name)");
  CHECK(problem(with("inner", {{"level", 2}}), true) == "x/inner: inner needs \"id\"");
  CHECK(problem(with("inner", 5)) == "x/inner: \"inner\" must be a map, got 5");
  CHECK(problem(with("items", json::array({{{"id", "a"}}, {{"id", "b"}, {"lvl", 2}}}))) ==
        "x/items/1/lvl: unknown key \"lvl\" in inner (did you mean \"level\"?)");
  CHECK(problem(with("entries", {"a", {{"id", "b"}, {"level", 10}}}), true) ==
        "x/entries/1/level: \"level\" must be 1 to 9, got 10");
}

TEST_CASE("field spec: MQTT 5 fields need MQTT 5, at any depth") {
  json fields = with("items", json::array({{{"id", "a"}, {"level", 2}}}));
  CHECK(problem(fields) ==
        "x/items/0/level: \"level\" is an MQTT 5 feature: set protocolVersion: 5");
  CHECK(problem(fields, true) == "ok");
}

TEST_CASE("field spec: unknown keys with did-you-mean, and duplicates") {
  CHECK(problem(with("cont", 1)) ==
        "x/cont: unknown key \"cont\" in thing (did you mean \"count\"?)");
  CHECK(problem(with("zzzzzzzz", 1)) == "x/zzzzzzzz: unknown key \"zzzzzzzz\" in thing");
  json twice = with("count", 1);
  twice["COUNT"] = 2;
  CHECK(problem(twice) == "x/count: duplicate key \"count\" (already given as \"COUNT\")");
  CHECK(problem(5) == "x: thing must be a map");
}

TEST_CASE("field spec: the JSON Schema of a table") {
  nlohmann::ordered_json definitions = nlohmann::ordered_json::object();
  json schema = json::parse(table_schema(outer_table(), definitions).dump());
  CHECK(schema.at("additionalProperties") == false);
  CHECK(schema.at("required") == json{"name"});
  const json& count = schema.at("properties").at("count");
  CHECK(count.at("description") == "how many");
  CHECK(count.at("default") == 1);
  CHECK(count.at("anyOf").at(0) == json{{"type", "integer"}, {"minimum", 0}, {"maximum", 10}});
  const json& mode = schema.at("properties").at("mode").at("anyOf");
  CHECK(mode.at(0) == json{{"type", "string"}, {"enum", {"fast", "slow"}}});
  CHECK(mode.at(1) == json{{"type", "integer"}, {"enum", {3}}});
  CHECK(schema.at("properties").at("kind").at("anyOf").at(1).at("pattern") ==
        "^([Aa][Ll][Pp][Hh][Aa]|[Bb][Ee][Tt][Aa])$");
  CHECK(schema.at("properties").at("items").at("anyOf").at(0).at("items") ==
        json{{"$ref", "#/definitions/testInner"}});
  json inner = json::parse(definitions.dump()).at("testInner");
  CHECK(inner.at("required") == json{"id"});
  CHECK(inner.at("properties").at("level").at("description") == "MQTT 5: a level");
  CHECK(json::parse(definitions.dump()).contains("template"));
}

TEST_CASE("field spec: the field reference of a table and its nested tables") {
  std::string reference = field_reference(outer_table());
  CHECK(reference.find(
            "\n**Thing**\n\n| key | type | default | meaning |\n| --- | --- | --- | --- |\n"
            "| `name` | string | required | a name |\n"
            "| `count` | integer 0–10 | `1` | how many |\n") == 0);
  CHECK(reference.find("| `mode` | `fast`, `slow` or `3` |  | speed |\n") != std::string::npos);
  CHECK(reference.find("\n**Inner**\n") != std::string::npos);
  CHECK(reference.find("| `level` | integer 1–9 |  | MQTT 5: a level |\n") != std::string::npos);
}
