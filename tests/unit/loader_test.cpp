#include "executor/suite/loader.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "steps/mqtt/mqtt_step.h"
#include "steps/registry.h"
#include "tests/temp_dir.h"

using namespace mqttest;
using nlohmann::json;

namespace {

const step_registry& mqtt_kinds() {
  static const step_registry kinds{&mqtt_step_kind};
  return kinds;
}


std::string load_error(const std::string& path) {
  try {
    load_suite(path, mqtt_kinds());
  } catch (const config_error& e) {
    return e.what();
  }
  return "<no error>";
}

/// Writes `text` as a suite and returns the error text with the path blanked to
/// "S".
std::string error_of(const std::string& text) {
  temp_dir dir;
  std::string path = dir.write("s.yml", text);
  std::string error = load_error(path);
  for (std::size_t at; (at = error.find(path)) != std::string::npos;)
    error.replace(at, path.size(), "S");
  return error;
}

const char* const venom_suite = R"(name: MQTT testsuite
vars:
  addrs: 'tcp://localhost:1883'
  topic: "sensors/1/temp"
testcases:
- name: publish then read back
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: persistent_queue      # register a persistent subscription
    clientId: reader-1
    topics: ["{{.topic}}"]
    persistSubscription: true
    qos: 1
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    clientId: writer-1
    messages:
    - topic: "{{.topic}}"
      payload: '{"c": 1}'
      qos: 1
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    clientId: reader-1                # same id: collects what was queued
    topics: ["{{.topic}}"]
    persistSubscription: true
    qos: 1
    messageLimit: 1
    assertions:
    - result.error ShouldBeEmpty
    - result.messagesjson.messagesjson0.c ShouldEqual 1
    - result.topics.topics0 ShouldEqual "{{.topic}}"
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: persistent_queue      # release: reconnect with a clean session
    clientId: reader-1
    topics: ["{{.topic}}"]
    persistSubscription: false
)";

/// A suite with one step: `step_lines` between a valid `addrs` and `topics`.
std::string suite_with_step(const std::string& step_lines) {
  return "testcases:\n- steps:\n  - type: mqtt\n    addrs: tcp://localhost:1883\n" + step_lines +
         "    topics: [t]\n";
}

}  // namespace

TEST_CASE("the Venom MQTT suite loads with its structure and positions") {
  temp_dir dir;
  std::string path = dir.write("venom.yml", venom_suite);
  suite s = load_suite(path, mqtt_kinds());
  CHECK(s.name == "MQTT testsuite");
  CHECK(s.file == path);
  REQUIRE(s.doc);
  CHECK(s.doc->file == path);
  CHECK(s.vars == json{{"addrs", "tcp://localhost:1883"}, {"topic", "sensors/1/temp"}});
  REQUIRE(s.cases.size() == 1);
  const test_case& c = s.cases[0];
  CHECK(c.name == "publish then read back");
  CHECK(c.where.file == path);
  CHECK(c.where.line == 6);
  CHECK(c.where.column == 3);
  REQUIRE(c.steps.size() == 4);

  const step_spec& queue = c.steps[0];
  CHECK(queue.type == "mqtt");
  CHECK(queue.kind == &mqtt_step_kind);
  CHECK(queue.name == "");
  CHECK(queue.where.line == 8);
  CHECK(queue.where.column == 5);
  CHECK(queue.pointer == json::json_pointer("/testcases/0/steps/0"));
  CHECK(queue.fields == json{{"addrs", "{{.addrs}}"},
                             {"clientType", "persistent_queue"},
                             {"clientId", "reader-1"},
                             {"topics", {"{{.topic}}"}},
                             {"persistSubscription", true},
                             {"qos", 1}});
  CHECK(queue.assertions.empty());
  CHECK(queue.info.empty());

  const step_spec& publisher = c.steps[1];
  CHECK(publisher.where.line == 15);
  CHECK(publisher.fields["messages"] ==
        json::array({{{"topic", "{{.topic}}"}, {"payload", "{\"c\": 1}"}, {"qos", 1}}}));

  const step_spec& subscriber = c.steps[2];
  CHECK(subscriber.fields["messageLimit"] == 1);
  CHECK_FALSE(subscriber.fields.contains("assertions"));
  REQUIRE(subscriber.assertions.size() == 3);
  CHECK(subscriber.assertions[0].text == "result.error ShouldBeEmpty");
  CHECK(subscriber.assertions[2].text == "result.topics.topics0 ShouldEqual \"{{.topic}}\"");
  CHECK(subscriber.assertions[1].where.line == 33);
  CHECK(subscriber.assertions[1].where.column == 7);
  CHECK(subscriber.assertions[1].where.file == path);

  CHECK(c.steps[3].fields["persistSubscription"] == false);
}

TEST_CASE("defaults: suite name from the file stem, numbered test cases, no vars") {
  temp_dir dir;
  std::string path = dir.write("my-suite.yaml",
                               "testcases:\n"
                               "- steps: []\n"
                               "- name: second\n"
                               "  steps: []\n"
                               "- steps: []\n");
  suite s = load_suite(path, mqtt_kinds());
  CHECK(s.name == "my-suite");
  CHECK(s.vars == json::object());
  REQUIRE(s.cases.size() == 3);
  CHECK(s.cases[0].name == "testcase 1");
  CHECK(s.cases[1].name == "second");
  CHECK(s.cases[2].name == "testcase 3");
  CHECK(s.cases[0].steps.empty());
}

TEST_CASE("suite-level optional keys, empty vars") {
  temp_dir dir;
  std::string path =
      dir.write("s.yml", "name: n\ndescription: what it does\nversion: 2\nvars:\ntestcases: []\n");
  suite s = load_suite(path, mqtt_kinds());
  CHECK(s.name == "n");
  CHECK(s.vars == json::object());
  CHECK(s.cases.empty());
}

TEST_CASE("keys match case-insensitively and are stored in canonical spelling") {
  temp_dir dir;
  std::string path = dir.write("s.yml",
                               "Name: ci\n"
                               "VARS: {a: 1}\n"
                               "TestCases:\n"
                               "- NAME: case\n"
                               "  Steps:\n"
                               "  - TYPE: mqtt\n"
                               "    Name: step one\n"
                               "    ADDRS: tcp://localhost:1883\n"
                               "    clienttype: subscriber\n"
                               "    Topics: [t]\n"
                               "    ClientID: w\n"
                               "    Info: one line\n"
                               "    Assertions: [result.error ShouldBeEmpty]\n");
  suite s = load_suite(path, mqtt_kinds());
  CHECK(s.name == "ci");
  CHECK(s.vars == json{{"a", 1}});
  REQUIRE(s.cases.size() == 1);
  CHECK(s.cases[0].name == "case");
  REQUIRE(s.cases[0].steps.size() == 1);
  const step_spec& step = s.cases[0].steps[0];
  CHECK(step.name == "step one");
  CHECK(step.type == "mqtt");
  CHECK(step.fields == json{{"addrs", "tcp://localhost:1883"},
                            {"clientType", "subscriber"},
                            {"topics", {"t"}},
                            {"clientId", "w"}});
  CHECK(step.info == std::vector<std::string>{"one line"});
  CHECK(step.assertions.size() == 1);
}

TEST_CASE("info is a string or a list of strings") {
  temp_dir dir;
  std::string path = dir.write("s.yml", suite_with_step("    clientType: subscriber\n"
                                                        "    info:\n"
                                                        "    - first {{.x}}\n"
                                                        "    - second\n"));
  suite s = load_suite(path, mqtt_kinds());
  CHECK(s.cases[0].steps[0].info == std::vector<std::string>{"first {{.x}}", "second"});
  CHECK(error_of(suite_with_step("    clientType: subscriber\n    info: {a: 1}\n")) ==
        "S:6:11: \"info\" must be a string or a list of strings, got a map\n"
        "        info: {a: 1}\n"
        "              ^");
  CHECK(error_of(suite_with_step("    clientType: subscriber\n    info: [ok, [x]]\n")) ==
        "S:6:16: \"info\" must be a string, got a list\n"
        "        info: [ok, [x]]\n"
        "                   ^");
}

TEST_CASE("file errors come from the document") {
  temp_dir dir;
  std::string missing = (dir.path / "missing.yml").string();
  CHECK(load_error(missing) == missing + ": cannot read file: No such file or directory");
  CHECK(error_of("") == "S:1:1: empty suite file");
  CHECK(error_of("testcases: [\n") ==
        "S:1:13: YAML syntax error: end of sequence flow not found\n"
        "    testcases: [\n"
        "                ^");
}

TEST_CASE("structure errors") {
  CHECK(error_of("- a\n- b\n") ==
        "S:1:1: a suite must be a map, got a list\n"
        "    - a\n"
        "    ^");
  CHECK(error_of("name: x\n") ==
        "S:1:1: suite needs \"testcases\"\n"
        "    name: x\n"
        "    ^");
  CHECK(error_of("testcases:\n  a: 1\n") ==
        "S:2:3: \"testcases\" must be a list, got a map\n"
        "      a: 1\n"
        "      ^");
  CHECK(error_of("testcases:\n") ==
        "S:1:1: \"testcases\" must be a list, got null\n    testcases:\n    ^");
  CHECK(error_of("name: [x]\ntestcases: []\n") ==
        "S:1:7: \"name\" must be a string, got a list\n"
        "    name: [x]\n"
        "          ^");
  CHECK(error_of("vars: [1]\ntestcases: []\n") ==
        "S:1:7: \"vars\" must be a map, got a list\n"
        "    vars: [1]\n"
        "          ^");
  CHECK(error_of("testcases:\n- just text\n") ==
        "S:2:3: test case must be a map, got a string\n"
        "    - just text\n"
        "      ^");
  CHECK(error_of("testcases:\n- name: no steps\n") ==
        "S:2:3: test case needs \"steps\"\n"
        "    - name: no steps\n"
        "      ^");
  CHECK(error_of("testcases:\n- steps: {type: mqtt}\n") ==
        "S:2:10: \"steps\" must be a list, got a map\n"
        "    - steps: {type: mqtt}\n"
        "             ^");
  CHECK(error_of("testcases:\n- steps:\n  - 42\n") ==
        "S:3:5: step must be a map, got a number\n"
        "      - 42\n"
        "        ^");
}

TEST_CASE("step type errors") {
  CHECK(error_of("testcases:\n- steps:\n  - name: x\n    addrs: tcp://h:1\n") ==
        "S:3:5: step needs \"type\"\n"
        "      - name: x\n"
        "        ^");
  CHECK(error_of("testcases:\n- steps:\n  - type: mqt\n") ==
        "S:3:11: unknown step type \"mqt\" (did you mean \"mqtt\"?)\n"
        "      - type: mqt\n"
        "              ^");
  CHECK(error_of("testcases:\n- steps:\n  - type: http\n") ==
        "S:3:11: unknown step type \"http\" (known types: mqtt)\n"
        "      - type: http\n"
        "              ^");
  CHECK(error_of("testcases:\n- steps:\n  - type: [mqtt]\n") ==
        "S:3:11: \"type\" must be a string, got a list\n"
        "      - type: [mqtt]\n"
        "              ^");
}

TEST_CASE("unknown keys at every level, with did-you-mean") {
  CHECK(error_of("nmae: x\ntestcases: []\n") ==
        "S:1:1: unknown key \"nmae\" in suite (did you mean \"name\"?)\n"
        "    nmae: x\n"
        "    ^");
  CHECK(error_of("testcases: []\ntestcase: []\n") ==
        "S:2:1: unknown key \"testcase\" in suite (did you mean \"testcases\"?)\n"
        "    testcase: []\n"
        "    ^");
  CHECK(error_of("testcases:\n- name: a\n  step: []\n") ==
        "S:3:3: unknown key \"step\" in test case (did you mean \"steps\"?)\n"
        "      step: []\n"
        "      ^");
  CHECK(error_of("testcases:\n- name: a\n  completely_different: 1\n  steps: []\n") ==
        "S:3:3: unknown key \"completely_different\" in test case\n"
        "      completely_different: 1\n"
        "      ^");
  CHECK(error_of(suite_with_step("    clientType: subscriber\n    client_id: x\n")) ==
        "S:6:5: unknown key \"client_id\" in step (did you mean \"clientId\"?)\n"
        "        client_id: x\n"
        "        ^");
  CHECK(error_of(suite_with_step("    clientType: subscriber\n    asertions: []\n")) ==
        "S:6:5: unknown key \"asertions\" in step (did you mean "
        "\"assertions\"?)\n"
        "        asertions: []\n"
        "        ^");
  // The first unknown key in source order is reported.
  CHECK(error_of(suite_with_step("    zzz: 1\n    clientType: subscriber\n    aaa: 2\n")) ==
        "S:5:5: unknown key \"zzz\" in step\n"
        "        zzz: 1\n"
        "        ^");
}

TEST_CASE("two spellings of one key are a duplicate") {
  CHECK(
      error_of(suite_with_step("    clientType: subscriber\n    clientId: a\n    clientid: b\n")) ==
      "S:7:5: duplicate key \"clientid\" (first at line 6)\n"
      "        clientid: b\n"
      "        ^");
  CHECK(error_of("name: a\nName: b\ntestcases: []\n") ==
        "S:2:1: duplicate key \"Name\" (first at line 1)\n"
        "    Name: b\n"
        "    ^");
}

TEST_CASE("assertion errors surface with their position") {
  CHECK(error_of(suite_with_step("    clientType: subscriber\n    assertions: "
                                 "result.error ShouldBeEmpty\n")) ==
        "S:6:17: \"assertions\" must be a list, got a string\n"
        "        assertions: result.error ShouldBeEmpty\n"
        "                    ^");
  std::string unknown_keyword =
      error_of(suite_with_step("    clientType: subscriber\n    assertions:\n   "
                               " - result.error ShouldBeEmpty\n"
                               "    - result.error ShouldBeEmptyy\n"));
  CHECK(unknown_keyword.rfind("S:8:7: ", 0) == 0);
  CHECK(unknown_keyword.find("ShouldBeEmptyy") != std::string::npos);
  CHECK(unknown_keyword.find("did you mean \"ShouldBeEmpty\"") != std::string::npos);
  CHECK(unknown_keyword.find("\n        - result.error ShouldBeEmptyy\n          ^") !=
        std::string::npos);
  std::string not_a_string =
      error_of(suite_with_step("    clientType: subscriber\n    assertions:\n    - 42\n"));
  CHECK(not_a_string.rfind("S:7:7: an assertion must be a string", 0) == 0);
}

TEST_CASE("mqtt step field errors carry positions") {
  CHECK(error_of(suite_with_step("    clientType: subscriber\n    qos: high\n")) ==
        "S:6:10: \"qos\" must be an integer 0, 1 or 2, got \"high\"\n"
        "        qos: high\n"
        "             ^");
  CHECK(error_of(suite_with_step("    clientType: subscriber\n    qos: 3\n")) ==
        "S:6:10: \"qos\" must be 0, 1 or 2, got 3\n"
        "        qos: 3\n"
        "             ^");
  CHECK(error_of(suite_with_step("    clientType: publishr\n")) ==
        "S:5:17: unknown clientType \"publishr\" (did you mean \"publisher\"?)\n"
        "        clientType: publishr\n"
        "                    ^");
  CHECK(error_of("testcases:\n- steps:\n  - type: mqtt\n    clientType: subscriber\n") ==
        "S:3:5: step needs \"addrs\" (the broker URL, e.g. tcp://localhost:1883)\n"
        "      - type: mqtt\n"
        "        ^");
  CHECK(error_of(suite_with_step("    clientType: publisher\n"
                                 "    messages:\n"
                                 "    - topic: t\n"
                                 "      retain: true\n")) ==
        "S:8:15: unknown key \"retain\" in message (did you mean \"retained\"?)\n"
        "          retain: true\n"
        "                  ^");
  // A differently-cased field name still reaches the kind's checks at its own position.
  CHECK(error_of(suite_with_step("    clientType: subscriber\n    QOS: 7\n")) ==
        "S:6:10: \"qos\" must be 0, 1 or 2, got 7\n"
        "        QOS: 7\n"
        "             ^");
}

TEST_CASE("collect_suite_files") {
  temp_dir dir;
  std::string b = dir.write("b.yml", "x");
  std::string a = dir.write("a.yaml", "x");
  std::string nested = dir.write("sub/deeper/c.yml", "x");
  dir.write("notes.txt", "x");
  dir.write("sub/readme.md", "x");
  std::filesystem::create_directories(dir.path / "empty");

  CHECK(collect_suite_files(b) == std::vector<std::string>{b});
  std::string other = (dir.path / "notes.txt").string();
  CHECK(collect_suite_files(other) == std::vector<std::string>{other});
  CHECK(collect_suite_files(dir.path.string()) == std::vector<std::string>{a, b, nested});
  CHECK(collect_suite_files((dir.path / "sub").string()) == std::vector<std::string>{nested});

  std::string missing = (dir.path / "nope").string();
  CHECK_THROWS_WITH_AS(collect_suite_files(missing),
                       ("no such file or directory: " + missing).c_str(), usage_error);
  std::string empty = (dir.path / "empty").string();
  CHECK_THROWS_WITH_AS(collect_suite_files(empty),
                       ("no suite files (*.yml, *.yaml) in " + empty).c_str(), usage_error);
}

TEST_CASE("suite language keys: secrets, testcase vars/skip, step vars/skip/range/retry") {
  temp_dir dir;
  std::string path = dir.write("s.yml", R"Y(secrets: [token]
vars: {token: t}
testcases:
- name: c
  vars: {x: 1}
  skip: [x ShouldEqual 1]
  steps:
  - type: mqtt
    addrs: tcp://h:1
    clientType: publisher
    messages: [{topic: a, payload: p}]
    range: [1, 2]
    retry: 2
    delay: 0.5
    retry_if: [result.error ShouldNotBeEmpty]
    skip: [x ShouldEqual 1]
    info: "{{.x | upper}}"
    vars:
      v: {from: result.published, regex: "([0-9]+)", default: 0}
)Y");
  suite s = load_suite(path, mqtt_kinds());
  CHECK(s.secrets == std::vector<std::string>{"token"});
  const test_case& c = s.cases.at(0);
  CHECK(c.vars == json{{"x", 1}});
  CHECK(c.skip.size() == 1);
  const step_spec& step = c.steps.at(0);
  CHECK(step.range == json::array({1, 2}));
  CHECK(step.retry == 2);
  CHECK(step.delay == 0.5);
  CHECK(step.retry_if.size() == 1);
  CHECK(step.skip.size() == 1);
  CHECK(step.extract["v"]["from"] == "result.published");
  CHECK_FALSE(step.fields.contains("vars"));
}

TEST_CASE("suite language load errors") {
  const std::string head =
      "testcases:\n- steps:\n  - type: mqtt\n    addrs: tcp://h:1\n    clientType: publisher\n";
  CHECK(error_of(head + "    vars: {v: {regex: x}}\n").rfind(
            "S:6:15: \"vars.v\" needs \"from\" (a result path)", 0) == 0);
  CHECK(error_of(head + "    vars: {v: {from: result.x, regex: \"(\"}}\n")
            .rfind("S:6:39: bad regex in \"vars.v\": missing ): (", 0) == 0);
  CHECK(error_of(head + "    vars: {v: {from: result.x, form: y}}\n")
            .rfind("S:6:32: unknown key \"form\" in step vars (did you mean \"from\"?)", 0) == 0);
  CHECK(error_of(head + "    range: 1.5\n")
            .rfind("S:6:12: \"range\" must be a list, a map, an integer >= 0 or a template, got a "
                   "number (1.5)",
                   0) == 0);
  CHECK(error_of(head + "    delay: x\n").rfind(
            "S:6:12: \"delay\" must be a number of seconds >= 0, got \"x\"", 0) == 0);
  CHECK(error_of(head + "    info: \"{{ .x | nope }}\"\n").rfind(
            "S:6:11: unknown template helper \"nope\"", 0) == 0);
  CHECK(error_of(head + "    assertions: [\"result.x ShouldEqual {{.y\"]\n").rfind(
            "S:6:18: unclosed \"{{\" in \"result.x ShouldEqual {{.y\"", 0) == 0);
}

TEST_CASE("schema files of assertions are read relative to the suite when it loads") {
  temp_dir dir;
  dir.write("contracts/schemas/ok.json", R"({"type": "object"})");
  const std::string suite =
      "testcases:\n- steps:\n  - type: mqtt\n    addrs: tcp://h:1\n    clientType: publisher\n"
      "    messages: [{topic: a}]\n    assertions:\n";
  std::string good = dir.write("contracts/good.yml",
                               suite + "    - result.messagesjson ShouldAllMatchJSONSchema "
                                       "schemas/ok.json\n");
  CHECK(load_suite(good, mqtt_kinds()).cases.size() == 1);
  std::string bad = dir.write("contracts/bad.yml",
                              suite + "    - result.messagesjson ShouldAllMatchJSONSchema "
                                      "schemas/none.json\n");
  std::string error = load_error(bad);
  CHECK(error.starts_with(bad + ":8:7: schema schemas/none.json: "));
  CHECK(error.find("cannot read file: No such file or directory") != std::string::npos);
}

// Strings where the JSON Schema wants strings (the loader is the only validator).
TEST_CASE("suite language keys take strings where a number means a mistake") {
  const std::string head =
      "testcases:\n- steps:\n  - type: mqtt\n    addrs: tcp://h:1\n    clientType: publisher\n"
      "    messages: [{topic: a}]\n";
  CHECK(error_of("secrets: [1]\n" + head)
            .rfind("S:1:11: \"secrets\" must be a string, got a number", 0) == 0);
  CHECK(error_of(head + "    info: [ok, 2]\n")
            .rfind("S:7:16: \"info\" must be a string, got a number", 0) == 0);
  CHECK(error_of(head + "    vars: {v: {from: 5}}\n")
            .rfind("S:7:22: \"from\" must be a string, got a number", 0) == 0);
  CHECK(error_of(head + "    vars: {v: {from: a, regex: 5}}\n")
            .rfind("S:7:32: \"regex\" must be a string, got a number", 0) == 0);
  CHECK(error_of("name: 5\nversion: 2\n" + head) == "<no error>");
}

TEST_CASE("user executors: lib/ is not a suite directory, names resolve, unknown keys caught") {
  temp_dir dir;
  dir.write("suite.yml", "testcases:\n- steps:\n  - type: hello\n    who: me\n");
  dir.write("lib/hello.yml",
            "executor: hello\ninput: {who: {}}\nsteps:\n- type: mqtt\n  addrs: tcp://h:1\n"
            "  clientType: publisher\n  messages: [{topic: \"{{.input.who}}\", payload: p}]\n");
  CHECK(collect_suite_files(dir.path.string()) ==
        std::vector<std::string>{(dir.path / "suite.yml").string()});
  suite s = load_suite((dir.path / "suite.yml").string(), mqtt_kinds());
  const step_spec& step = s.cases.at(0).steps.at(0);
  REQUIRE(step.user);
  CHECK(step.user->name == "hello");
  CHECK(step.user->steps.size() == 1);
  CHECK(step.fields == json{{"who", "me"}});
  dir.write("suite.yml", "testcases:\n- steps:\n  - type: hello\n    whom: me\n");
  CHECK(load_error((dir.path / "suite.yml").string()).find(
            "suite.yml:4:5: unknown key \"whom\" in step (did you mean \"who\"?)") !=
        std::string::npos);
}
