// End-to-end: the suite language (templates, variables, flow control, user
// executors, secrets) through `mqttest run` against a real mosquitto.
#include <doctest/doctest.h>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::read_text;
using mqttest::testing::workspace;

namespace {

std::string addrs(const local_broker& broker) { return "--var addrs=" + broker.url(); }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A one-step suite around `step` (indented as a step's keys).
std::string suite_with(const std::string& step, const std::string& head = "") {
  return "name: s\nvars:\n  addrs: tcp://127.0.0.1:1\n" + head +
         "testcases:\n- name: c\n  steps:\n  - type: mqtt\n    addrs: \"{{.addrs}}\"\n" + step;
}

}  // namespace

TEST_CASE("load-time template errors exit 2 with file:line:col") {
  workspace ws;
  struct example {
    std::string step, message;
  };
  const example examples[] = {
      {"    clientType: publisher\n    messages: [{topic: \"a/{{.x\", payload: p}]\n",
       "s.yml:10:24: unclosed \"{{\" in \"a/{{.x\""},
      {"    clientType: publisher\n    messages: [{topic: \"{{.x | uper}}\", payload: p}]\n",
       "s.yml:10:24: unknown template helper \"uper\" (did you mean \"upper\"?)"},
      {"    clientType: publisher\n    range: abc\n    messages: [{topic: a, payload: p}]\n",
       "s.yml:10:12: \"range\" must be a list, a map, an integer >= 0 or a template, got a string "
       "(\"abc\")"},
      {"    clientType: publisher\n    retry: -1\n    messages: [{topic: a, payload: p}]\n",
       "s.yml:10:12: \"retry\" must be an integer >= 0, got -1"},
  };
  for (const example& e : examples) {
    ws.write("s.yml", suite_with(e.step));
    cli_result r = ws.mqttest("run s.yml");
    CHECK(r.status == 2);
    CHECK_MESSAGE(r.err.rfind(e.message, 0) == 0, r.err);
  }
  ws.write("s.yml", "testcases:\n- steps:\n  - type: request_replyy\n");
  ws.write("lib/rr.yml", "executor: request_reply\nsteps: []\n");
  cli_result r = ws.mqttest("run s.yml");
  CHECK(r.status == 2);
  CHECK(r.err.rfind("s.yml:3:11: unknown step type \"request_replyy\" (did you mean "
                    "\"request_reply\"?)",
                    0) == 0);
}

TEST_CASE("user executor recursion is a load error naming the loop") {
  workspace ws;
  ws.write("s.yml", "testcases:\n- steps:\n  - type: a\n");
  ws.write("lib/a.yml", "executor: a\nsteps:\n- type: b\n");
  ws.write("lib/b.yml", "executor: b\nsteps:\n- type: a\n");
  cli_result r = ws.mqttest("run s.yml");
  CHECK(r.status == 2);
  CHECK_MESSAGE(r.err.find("lib/b.yml:3:9: user executor recursion: a -> b -> a") !=
                    std::string::npos,
                r.err);
}

TEST_CASE("run-time template problems fail the step with a precise message") {
  local_broker broker;
  workspace ws;
  ws.write("s.yml", suite_with("    clientType: publisher\n"
                               "    messages: [{topic: \"{{.nope}}\", payload: p}]\n"));
  cli_result r = ws.mqttest("run s.yml " + addrs(broker));
  CHECK(r.status == 1);
  CHECK(contains(r.out, "s.yml:10:24: undefined variable \".nope\""));

  ws.write("s.yml", suite_with("    clientType: publisher\n"
                               "    messages: [{topic: \"{{.n | upper}}\", payload: p}]\n",
                               "  n: 5\n"));
  r = ws.mqttest("run s.yml " + addrs(broker));
  CHECK(r.status == 1);
  CHECK(contains(r.out, "upper: expects a string, got a number (5)"));

  ws.write("s.yml", suite_with("    clientType: publisher\n"
                               "    range: \"{{.word}}\"\n"
                               "    messages: [{topic: a, payload: p}]\n",
                               "  word: abc\n"));
  r = ws.mqttest("run s.yml " + addrs(broker));
  CHECK(r.status == 1);
  CHECK(contains(r.out, "range: expected a list, a map or an integer >= 0, got a string (\"abc\")"));
}

TEST_CASE("step output into variables, a missing path fails naming it") {
  local_broker broker;
  workspace ws;
  ws.write("s.yml", R"Y(vars: {addrs: x}
testcases:
- name: first
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages: [{topic: lang/x, payload: '{"v": "id-42"}', retained: true}]
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [lang/x]
    vars:
      id: {from: result.messagesjson.messagesjson0.v, regex: "id-([0-9]+)"}
    info: "same case: {{.id}}"
- name: second
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    info: "later case: {{.first.id}}"
    messages: [{topic: lang/x, payload: "", retained: true}]
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages: [{topic: lang/y, payload: p}]
    vars:
      gone: {from: result.nothing.here}
)Y");
  cli_result r = ws.mqttest("run s.yml " + addrs(broker));
  CHECK(r.status == 1);
  CHECK(contains(r.out, "info: same case: 42"));
  CHECK(contains(r.out, "info: later case: 42"));
  CHECK(contains(r.out, "vars.gone   [s.yml:23]"));
  CHECK(contains(r.out,
                 "path \"result.nothing.here\" does not exist in the step's result (and no default)"));
}

TEST_CASE("variable precedence: suite < --var-from-file < env < --var, testcase vars") {
  local_broker broker;
  workspace ws;
  ws.write("vars.yml", "a: file\nb: file\nc: file\n");
  ws.write("s.yml", R"Y(vars: {addrs: x, a: suite, b: suite, c: suite, d: suite}
testcases:
- name: c
  vars: {e: "case-{{.d}}"}
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    info: "{{.a}} {{.b}} {{.c}} {{.d}} {{.e}}"
    messages: [{topic: lang/p, payload: p}]
)Y");
  cli_result r = ws.mqttest("run s.yml --var-from-file vars.yml --var c=cli " + addrs(broker),
                            "MQTTEST_VAR_b=env VENOM_VAR_c=venom-env");
  CHECK(r.status == 0);
  CHECK_MESSAGE(contains(r.out, "info: file env cli suite case-suite"), r.out);
  r = ws.mqttest("run s.yml --var-from-file missing.yml " + addrs(broker));
  CHECK(r.status == 2);
}

TEST_CASE("retry: the report shows the number of tries, retry_if stops early") {
  local_broker broker;
  workspace ws;
  ws.write("s.yml", suite_with("    clientType: subscriber\n"
                               "    topics: [lang/never]\n"
                               "    timeout: 100\n"
                               "    retry: 2\n"
                               "    delay: 0\n"));
  cli_result r = ws.mqttest("run s.yml " + addrs(broker));
  CHECK(r.status == 1);
  CHECK(contains(r.out, "tries: 3"));
  ws.write("s.yml", suite_with("    clientType: subscriber\n"
                               "    topics: [lang/never]\n"
                               "    timeout: 100\n"
                               "    retry: 5\n"
                               "    retry_if: [result.received ShouldBeGreaterThan 0]\n"));
  r = ws.mqttest("run s.yml " + addrs(broker));
  CHECK(r.status == 1);
  CHECK_FALSE(contains(r.out, "tries:"));
}

TEST_CASE("secrets and passwords are masked on the console, with -v and in JUnit") {
  local_broker broker;
  workspace ws;
  ws.write("s.yml", R"Y(vars: {addrs: x, token: s3cr3t-value}
secrets: [token]
testcases:
- name: c
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    info: "token={{.token}}"
    messages: [{topic: "lang/{{.token}}", payload: "{{.token}}"}]
    assertions:
    - result.published ShouldEqual "{{.token}}"
)Y");
  cli_result r = ws.mqttest("run s.yml -v --format junit " + addrs(broker));
  CHECK(r.status == 1);
  CHECK_FALSE(contains(r.out, "s3cr3t-value"));
  CHECK(contains(r.out, "info: token=****"));
  std::string junit = read_text(ws.dir() / "mqttest-junit.xml");
  CHECK(contains(junit, "****"));
  CHECK_FALSE(contains(junit, "s3cr3t-value"));
}

TEST_CASE("skip on a test case and on a step, with the reason") {
  local_broker broker;
  workspace ws;
  ws.write("s.yml", R"Y(vars: {addrs: x, env: prod}
testcases:
- name: only in dev
  skip: [env ShouldEqual dev]
  steps: [{type: mqtt, addrs: "{{.addrs}}", clientType: publisher, messages: [{topic: a, payload: p}]}]
- name: runs
  steps:
  - {type: mqtt, skip: ["env ShouldEqual dev"], addrs: "{{.addrs}}", clientType: publisher, messages: [{topic: a, payload: p}]}
)Y");
  cli_result r = ws.mqttest("run s.yml " + addrs(broker));
  CHECK(r.status == 0);
  CHECK(contains(r.out, "SKIP  only in dev  (env ShouldEqual dev"));
  CHECK(contains(r.out, "skipped: env ShouldEqual dev"));
  CHECK(contains(r.out, "1 passed, 0 failed, 1 skipped"));
}

TEST_CASE("user executor from --lib-dir: inputs, output as the result, inner failures") {
  local_broker broker;
  workspace ws;
  ws.write("libs/echo.yml", R"Y(executor: echo
input: {topic: {}, payload: hello}
steps:
- type: mqtt
  addrs: "{{.addrs}}"
  clientType: publisher
  messages: [{topic: "{{.input.topic}}", payload: "{{.input.payload}}"}]
output:
  sent: "{{.input.payload}}"
  published: "{{.result.published}}"
)Y");
  ws.write("s.yml", R"Y(vars: {addrs: x}
testcases:
- name: c
  steps:
  - type: echo
    topic: lang/echo
    assertions:
    - result.sent ShouldEqual hello
    - result.published ShouldEqual 1
)Y");
  cli_result r = ws.mqttest("run s.yml --lib-dir libs " + addrs(broker));
  CHECK_MESSAGE(r.status == 0, r.out);
  r = ws.mqttest("run s.yml " + addrs(broker));
  CHECK(r.status == 2);
  ws.write("s.yml", "vars: {addrs: x}\ntestcases:\n- steps:\n  - type: echo\n    topic: \"{{.nope}}\"\n");
  r = ws.mqttest("run s.yml --lib-dir libs " + addrs(broker));
  CHECK(r.status == 1);
  CHECK(contains(r.out, "s.yml:5:12: undefined variable \".nope\""));
}

TEST_CASE("built-in variables and a run id shared by the whole run") {
  local_broker broker;
  workspace ws;
  ws.write("s.yml", R"Y(name: builtins
vars: {addrs: x}
testcases:
- name: tc
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    info:
    - "{{.venom.testsuite}} {{.venom.testsuite.filename}} {{.venom.testcase}} {{.venom.teststep.number}}"
    - "run {{.mqttest.runid | len}} {{.venom.timestamp | date \"2006\" | len}} {{.venom.datetime | date \"06\" | len}}"
    messages: [{topic: "lang/{{.mqttest.runid}}", payload: p}]
)Y");
  cli_result r = ws.mqttest("run s.yml " + addrs(broker));
  CHECK(r.status == 0);
  CHECK(contains(r.out, "info: builtins s.yml tc 1"));
  CHECK(contains(r.out, "info: run 8 4 2"));
}
