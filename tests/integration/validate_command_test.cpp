// `mqttest validate`: exit codes and problem texts, no broker.

#include <doctest/doctest.h>

#include "tests/integration/cli_harness.h"

using mqttest::testing::cli_result;
using mqttest::testing::workspace;

namespace {

const char* const valid_suite = R"(name: ok
testcases:
- name: publish
  steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    messages: [{topic: a/b, payload: x}]
)";

}  // namespace

TEST_CASE("validate: valid suites exit 0 without a broker") {
  workspace ws;
  ws.write("a.yml", valid_suite);
  ws.write("dir/b.yaml", valid_suite);
  cli_result r = ws.mqttest("validate a.yml dir");
  CHECK(r.status == 0);
  CHECK(r.out == "2 suite file(s) valid\n");
  CHECK(r.err.empty());
}

TEST_CASE("validate: each problem as file:line:col: message, exit 2") {
  workspace ws;
  ws.write("good.yml", valid_suite);
  ws.write("typo.yml", R"(testcases:
- steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    mesages: [{topic: a}]
)");
  ws.write("qos.yml", R"(testcases:
- steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: subscriber
    topics: [a]
    qos: 3
)");
  cli_result r = ws.mqttest("validate good.yml typo.yml qos.yml");
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("typo.yml:6:5: unknown key \"mesages\" in step (did you mean \"messages\"?)") !=
        std::string::npos);
  CHECK(r.err.find("qos.yml:7:10: \"qos\" must be 0, 1 or 2, got 3") != std::string::npos);
  CHECK(r.err.find("2 of 3 suite file(s) invalid\n") != std::string::npos);
}

TEST_CASE("validate: a missing path and a YAML syntax error exit 2") {
  workspace ws;
  ws.write("broken.yml", "testcases: [\n");
  cli_result r = ws.mqttest("validate nowhere.yml broken.yml");
  CHECK(r.status == 2);
  CHECK(r.err.find("mqttest: no such file or directory: nowhere.yml\n") != std::string::npos);
  CHECK(r.err.find("broken.yml:") != std::string::npos);
  CHECK(ws.mqttest("validate").status == 2);
}
