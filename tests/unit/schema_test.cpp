// schemas/testsuite.schema.json and the README's field reference are generated
// from the field specs (scripts/gen_schema.sh): the committed files must be
// what the generator gives, every nested table included, and the schema must
// agree with the loader on the example suites and on invalid ones.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/step_kinds.h"
#include "executor/core/document.h"
#include "executor/core/errors.h"
#include "executor/suite/loader.h"
#include "executor/suite/suite_schema.h"
#include "steps/mqtt/mqtt_config.h"
#include "tests/source_paths.h"
#include "tests/valijson_problems.h"

namespace fs = std::filesystem;
using namespace mqttest;
using nlohmann::json;

namespace {

const fs::path source_dir = mqttest::testing::source_dir();

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string generated_schema() { return testsuite_schema(builtin_step_kinds()).dump(2) + "\n"; }

/// The README's text between the field reference markers.
std::string readme_reference() {
  std::string readme = read_all(source_dir / "README.md");
  const std::string begin = "<!-- fields:begin -->\n", end = "<!-- fields:end -->\n";
  auto from = readme.find(begin), to = readme.find(end);
  if (from == std::string::npos || to == std::string::npos || to < from) return "<no markers>";
  from += begin.size();
  return readme.substr(from, to - from);
}

/// valijson's problems with `value` against the generated schema; "" when valid.
std::string schema_problems(const json& value) {
  static const auto schema = valijson_schema(json::parse(generated_schema()));
  return valijson_problems(*schema, value);
}

std::vector<fs::path> example_suites() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(source_dir / "testsuites")) {
    if (entry.path().extension() != ".yml" && entry.path().extension() != ".yaml") continue;
    if (entry.path().parent_path().filename() == "lib") continue;  // user executors, not suites
    if (entry.path().parent_path() == source_dir / "testsuites" / "asyncapi")
      continue;  // AsyncAPI documents, the input of `mqttest asyncapi`
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("schema: schemas/testsuite.schema.json is what the field specs generate") {
  CHECK_MESSAGE(generated_schema() == read_all(source_dir / "schemas/testsuite.schema.json"),
                "the field specs changed: run scripts/gen_schema.sh and commit its output");
}

TEST_CASE("schema: the README's field reference is what the field specs generate") {
  CHECK_MESSAGE(readme_reference() == testsuite_field_reference(builtin_step_kinds()),
                "the field specs changed: run scripts/gen_schema.sh and commit its output");
}

TEST_CASE(
    "schema: every field of every table, nested ones included, is in the schema and the "
    "field reference") {
  json schema = json::parse(generated_schema());
  const json& definitions = schema.at("definitions");
  std::string reference = testsuite_field_reference(builtin_step_kinds());
  std::vector<std::string> names;
  for (const field_table* table : nested_tables(mqtt_step_table())) {
    names.emplace_back(table->schema_name);
    REQUIRE_MESSAGE(definitions.contains(table->schema_name), table->schema_name);
    const json& properties = definitions.at(table->schema_name).at("properties");
    std::string heading = fmt::format("\n**{}**\n", table->title);
    auto section = reference.find(heading);
    REQUIRE_MESSAGE(section != std::string::npos, heading);
    auto section_end = reference.find("\n**", section + heading.size());
    std::string rows = reference.substr(section, section_end - section);
    for (const field_spec& field : table->fields) {
      std::string name(field.name);
      INFO(table->name, ".", name);
      REQUIRE(properties.contains(name));
      std::string description(field.description);
      if (field.mqtt5) description = "MQTT 5: " + description;
      CHECK(properties[name].at("description") == description);
      CHECK(properties[name].value("default", json()) == field.default_value);
      CHECK(rows.find(fmt::format("| `{}` |", name)) != std::string::npos);
    }
  }
  CHECK(names == std::vector<std::string>{"mqttStep", "mqttSubscription", "mqttMessage", "mqttTls",
                                          "mqttWill"});
  for (const field_table* table :
       {&suite_table(), &test_case_table(), &step_table(), &step_var_table()})
    CHECK(reference.find(fmt::format("\n**{}**\n", table->title)) != std::string::npos);
}

TEST_CASE("schema: the example suites are valid, by the schema and by the loader") {
  std::vector<fs::path> files = example_suites();
  CHECK(files.size() >= 8);
  for (const fs::path& file : files) {
    INFO(file.string());
    CHECK(schema_problems(load_document(file.string())->root) == "");
    CHECK_NOTHROW(load_suite(file.string(), builtin_step_kinds()));
  }
}

TEST_CASE("schema: keys in canonical spelling, templates and numeric strings are valid") {
  auto doc = parse_document(
      "testcases:\n- steps:\n  - type: mqtt\n    addrs: tcp://h:1\n    clientType: Publisher\n"
      "    qos: '{{.q}}'\n    timeout: '100'\n    persistSubscription: 'TRUE'\n"
      "    protocolVersion: 5\n    messages: [{topic: a, payload: 1}]\n    range: '{{.items}}'\n",
      "s.yml");
  CHECK(schema_problems(doc->root) == "");
}

TEST_CASE("schema: what the loader rejects, the schema rejects too") {
  const std::string head =
      "testcases:\n- steps:\n  - type: mqtt\n    addrs: ssl://h:1\n    clientType: publisher\n"
      "    messages: [{topic: a}]\n";
  const std::vector<std::string> invalid = {
      "name: x\n",              // no testcases
      "secrets: [1]\n" + head,  // a variable name is a string
      "nme: x\n" + head,        // unknown suite key
      head + "    qos: 7\n",    // out of range
      head + "    qos: 1.5\n",  // not an integer
      "testcases:\n- steps:\n  - {type: mqtt, addrs: 'tcp://h:1', clientType: xyz}\n",
      head + "    decode: JSON\n",                             // choices are spelt exactly
      head + "    protocolVersion: 311\n",                     // "311" only as a string
      head + "    password: 1234\n",                           // as written, a string
      head + "    tls: '{{.tls}}'\n",                          // a map cannot be a template
      head + "    tls: {keyPassword: }\n",                     // null
      head + "    will: {payload: x}\n",                       // will needs topic
      head + "    publish: [{topic: a, extra: 1}]\n",          // unknown message key
      head + "    topics: [{qos: 1}]\n",                       // topic needs filter
      head + "    info: [1]\n",                                // info lines are strings
      head + "    vars: {x: {from: 5}}\n",                     // a result path is a string
      head + "    vars: {x: {regex: a}}\n",                    // needs from
      head + "    retry: -1\n",                                // negative
      head + "    range: abc\n",                               // a string range must be a template
      head + "    assertions: [{nand: [a ShouldEqual 1]}]\n",  // unknown block
  };
  for (const std::string& text : invalid) {
    INFO(text);
    auto doc = parse_document(text, "s.yml");
    CHECK(schema_problems(doc->root) != "");
    fs::path file = fs::temp_directory_path() / fmt::format("mqttest-schema-{}.yml", ::getpid());
    std::ofstream(file) << text;
    CHECK_THROWS_AS(load_suite(file.string(), builtin_step_kinds()), config_error);
    fs::remove(file);
  }
}
