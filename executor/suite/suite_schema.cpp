#include "executor/suite/suite_schema.h"

#include <fmt/format.h>

namespace mqttest {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json definition_ref(std::string_view name) {
  return {{"$ref", fmt::format("#/definitions/{}", name)}};
}

ordered_json text_or_number() { return {{"type", {"string", "number"}}}; }

ordered_json assertion_list() {
  return {{"type", {"array", "null"}}, {"items", definition_ref("assertion")}};
}

std::string kind_step_name(std::string_view type) { return fmt::format("{}Step", type); }

}  // namespace

const field_table& suite_table() {
  static const field_table table = {
      "suite",
      "",
      "Suite (the file)",
      {
          {.name = "name",
           .type = value_type::custom,
           .description = "suite name; default: the file name without extension",
           .type_expect = "string or number",
           .schema = text_or_number()},
          {.name = "description",
           .type = value_type::custom,
           .description = "free text",
           .type_expect = "string or number",
           .schema = text_or_number()},
          {.name = "version",
           .type = value_type::custom,
           .description = "free text (Venom's suite version)",
           .type_expect = "string or number",
           .schema = text_or_number()},
          {.name = "vars",
           .type = value_type::custom,
           .description = "variables for {{.name}} templates; a value may be any YAML value and "
                          "may use other variables",
           .type_expect = "map",
           .schema = definition_ref("vars")},
          {.name = "secrets",
           .type = value_type::custom,
           .description = "names of variables whose values are masked as **** everywhere "
                          "mqttest prints or writes (console, -v, every report)",
           .type_expect = "list of strings",
           .schema = {{"type", {"array", "null"}}, {"items", {{"type", "string"}}}}},
          {.name = "testcases",
           .type = value_type::custom,
           .description = "the test cases, run in order",
           .type_expect = "list of test cases",
           .required = true,
           .schema = {{"type", "array"}, {"items", definition_ref("testcase")}}},
      }};
  return table;
}

const field_table& test_case_table() {
  static const field_table table = {
      "test case",
      "testcase",
      "Test case (entries of `testcases`)",
      {
          {.name = "name",
           .type = value_type::custom,
           .description = "test case name; default: testcase N",
           .type_expect = "string or number",
           .schema = text_or_number()},
          {.name = "vars",
           .type = value_type::custom,
           .description = "variables of this test case, expanded when it starts",
           .type_expect = "map",
           .schema = definition_ref("vars")},
          {.name = "skip",
           .type = value_type::custom,
           .description = "assertions on variables; if any is false the test case is reported "
                          "as skipped, with the reason",
           .type_expect = "list of assertions",
           .schema = assertion_list()},
          {.name = "steps",
           .type = value_type::custom,
           .description = "the steps, run in order",
           .type_expect = "list of steps",
           .required = true,
           .schema = {{"type", "array"}, {"items", definition_ref("step")}}},
      }};
  return table;
}

const field_table& step_table() {
  static const field_table table = {
      "step",
      "step",
      "Step (entries of `steps`): keys of every step, besides its type's fields",
      {
          {.name = "type",
           .type = value_type::custom,
           .description = "step type: a step kind (mqtt, exec) or the name of a user executor "
                          "from lib/; a step without type but with a script is an exec step, "
                          "as in Venom",
           .type_expect = "string",
           .schema = {{"type", "string"}}},
          {.name = "name",
           .type = value_type::custom,
           .description = "step name shown in reports",
           .type_expect = "string or number",
           .schema = text_or_number()},
          {.name = "assertions",
           .type = value_type::custom,
           .description = "`<path> <Keyword> [args...]` or and/or/xor/not blocks; none: "
                          "`result.error ShouldBeEmpty`",
           .type_expect = "list of assertions",
           .schema = assertion_list()},
          {.name = "info",
           .type = value_type::custom,
           .description = "line(s) printed under the step's line, expanded after the step ran",
           .type_expect = "string or list of strings",
           .schema = {{"type", {"string", "array", "null"}}, {"items", {{"type", "string"}}}}},
          {.name = "vars",
           .type = value_type::custom,
           .description = "step output into variables: name → {from, regex, default}; "
                          "{{.name}} in the rest of the test case, {{.<testcase>.name}} in "
                          "later ones",
           .type_expect = "map: name → step variable",
           .schema = {{"type", {"object", "null"}},
                      {"additionalProperties", definition_ref("stepVar")}}},
          {.name = "skip",
           .type = value_type::custom,
           .description = "assertions on variables; if any is false the step is reported as "
                          "skipped, with the reason",
           .type_expect = "list of assertions",
           .schema = assertion_list()},
          {.name = "range",
           .type = value_type::custom,
           .description = "run the step once per item ({{.index}}, {{.key}}, {{.value}}): a "
                          "list, a map, an integer N (0..N-1) or a template giving one",
           .type_expect = "list, map, integer ≥ 0 or template",
           .schema = {{"anyOf",
                       {{{"type", {"array", "object"}}},
                        {{"type", "integer"}, {"minimum", 0}},
                        definition_ref("template")}}}},
          {.name = "retry",
           .type = value_type::custom,
           .description = "extra tries until the assertions pass (up to N+1 runs)",
           .default_value = 0,
           .type_expect = "integer ≥ 0 or template",
           .schema = {{"anyOf",
                       {{{"type", "integer"}, {"minimum", 0}}, definition_ref("template")}}}},
          {.name = "delay",
           .type = value_type::custom,
           .description = "seconds between tries",
           .default_value = 0,
           .type_expect = "number ≥ 0 or template",
           .schema = {{"anyOf",
                       {{{"type", "number"}, {"minimum", 0}}, definition_ref("template")}}}},
          {.name = "retry_if",
           .type = value_type::custom,
           .description = "assertions on the result; retry only while they all hold",
           .type_expect = "list of assertions",
           .schema = assertion_list()},
      }};
  return table;
}

const field_table& step_var_table() {
  static const field_table table = {
      "step vars",
      "stepVar",
      "Step variable (entries of a step's `vars`)",
      {
          {.name = "from",
           .type = value_type::custom,
           .description = "result path, e.g. result.messagesjson.messagesjson0.temp",
           .type_expect = "string",
           .required = true,
           .schema = {{"type", "string"}}},
          {.name = "regex",
           .type = value_type::custom,
           .description = "RE2 regular expression; the first group is kept (a string)",
           .type_expect = "string",
           .schema = {{"type", "string"}}},
          {.name = "default",
           .type = value_type::custom,
           .description = "value when the path does not exist or the regex does not match",
           .type_expect = "any value",
           .schema = ordered_json::object()},
      }};
  return table;
}

ordered_json testsuite_schema(const step_registry& kinds) {
  ordered_json definitions = ordered_json::object();
  for (std::string_view shared : {"template", "integerText", "booleanText"})
    shared_definition(definitions, shared);
  definitions["vars"] = {
      {"description", "variables for {{.name}} templates; a value may be any YAML value"},
      {"type", {"object", "null"}}};
  ordered_json block = {{"type", "array"}, {"items", definition_ref("assertion")}};
  definitions["assertion"] = {
      {"oneOf",
       {{{"description",
          "`<path> <Keyword> [args...]`, e.g. `result.messagesjson.messagesjson0.c ShouldEqual 1`"},
         {"type", "string"},
         {"minLength", 1}},
        {{"description",
          "a block: and (all hold), or (any holds), xor (exactly one holds), not (none holds)"},
         {"type", "object"},
         {"minProperties", 1},
         {"maxProperties", 1},
         {"additionalProperties", false},
         {"properties", {{"and", block}, {"or", block}, {"xor", block}, {"not", block}}}}}}};
  definitions["testcase"] = table_schema(test_case_table(), definitions);
  definitions["stepVar"] = table_schema(step_var_table(), definitions);

  ordered_json step = table_schema(step_table(), definitions);
  step.erase("additionalProperties");  // a user executor's step also takes its input keys
  step["description"] = "a step: the keys below plus those of its type";
  ordered_json generic = step["properties"];
  ordered_json by_kind = ordered_json::array();
  for (const std::string& type : kinds.names()) {
    const step_kind* kind = kinds.find(type);
    if (kind->spec == nullptr) continue;
    by_kind.push_back(
        {{"if", {{"properties", {{"type", {{"const", type}}}}}, {"required", {"type"}}}},
         {"then", definition_ref(kind_step_name(type))}});
  }
  // Venom runs a step without `type` as an exec step (the loader's find_kind).
  if (kinds.find("exec") != nullptr && kinds.find("exec")->spec != nullptr)
    by_kind.push_back({{"if", {{"not", {{"required", {"type"}}}}}},
                       {"then", definition_ref(kind_step_name("exec"))}});
  if (!by_kind.empty()) step["allOf"] = by_kind;
  definitions["step"] = step;
  for (const std::string& type : kinds.names()) {
    const step_kind* kind = kinds.find(type);
    if (kind->spec == nullptr) continue;
    ordered_json properties = generic;
    properties["type"] = {{"description", fmt::format("`{}`", type)}, {"const", type}};
    std::string name = kind_step_name(type);
    definitions[name] = nullptr;  // reserves its place before its nested tables
    ordered_json schema = table_schema(kind->spec(), definitions, properties, {"type"});
    definitions[name] = {{"description", fmt::format("a `type: {}` step", type)}};
    for (const auto& [key, value] : schema.items()) definitions[name][key] = value;
  }

  ordered_json root = {
      {"$schema", "http://json-schema.org/draft-07/schema#"},
      {"$id", "https://github.com/mqttest/mqttest/schemas/testsuite.schema.json"},
      {"title", "mqttest test suite (OVH Venom's MQTT format)"},
      {"description",
       "A suite file for `mqttest run`. Keys match case-insensitively (like Venom); this schema "
       "uses the canonical spellings. Generated from the field specs by scripts/gen_schema.sh: "
       "do not edit."}};
  ordered_json suite = table_schema(suite_table(), definitions);
  for (const auto& [key, value] : suite.items()) root[key] = value;
  root["definitions"] = definitions;
  return root;
}

std::string testsuite_field_reference(const step_registry& kinds) {
  std::string out;
  for (const field_table* table :
       {&suite_table(), &test_case_table(), &step_table(), &step_var_table()})
    out += field_reference(*table);
  for (const std::string& type : kinds.names()) {
    const step_kind* kind = kinds.find(type);
    if (kind->spec != nullptr) out += field_reference(kind->spec());
  }
  return out;
}

}  // namespace mqttest
