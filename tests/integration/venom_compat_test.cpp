// Venom suites as people wrote them, run unchanged against a real mosquitto.
#include <doctest/doctest.h>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::workspace;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// In the style of Venom 1.0/1.1's MQTT test suite: a publish test case and a
/// subscribe test case, lower-cased flattened paths (__len__, __type__) and a
/// payload with mixed-case keys.
const char* const venom_1_1_suite = R"(name: MQTT testsuite
vars:
  addrs: 'tcp://localhost:1883'
  topic: "venom/compat/topic"
  clientId: "compat-subscriber"

testcases:
  - name: MQTT publish testcase
    steps:
      - type: mqtt
        addrs: "{{.addrs}}"
        clientType: publisher
        clientId: compat-publisher
        messageLimit: 1
        messages:
          - topic: venom/compat/pub_topic
            payload: '{"a": "b"}'

  - name: MQTT subscribe testcase
    steps:
      - type: mqtt
        addrs: "{{.addrs}}"
        clientType: persistent_queue
        topics:
        - "{{.topic}}"
        persistSubscription: true
        clientId: "{{.clientId}}"
        qos: 2
      - type: mqtt
        addrs: "{{.addrs}}"
        clientType: publisher
        clientId: compat-publisher-2
        messages:
          - topic: "{{.topic}}"
            payload: '{"Temp": 21, "Unit": "C", "Sensor": {"Id": "s1"}}'
            qos: 2
      - type: mqtt
        addrs: "{{.addrs}}"
        clientType: subscriber
        clientId: "{{.clientId}}"
        topics:
        - "{{.topic}}"
        persistSubscription: true
        qos: 2
        messageLimit: 1
        assertions:
          - result.error ShouldBeEmpty
          - result.messages.__len__ ShouldEqual 1
          - result.messagesjson.__len__ ShouldEqual 1
          - result.messagesjson.__type__ ShouldEqual Array
          - result.messagesjson.messagesjson0.temp ShouldEqual 21
          - result.messagesjson.messagesjson0.unit ShouldEqual C
          - result.messagesjson.messagesjson0.sensor.id ShouldEqual s1
          - result.topics.topics0 ShouldEqual "{{.topic}}"
      - type: mqtt
        addrs: "{{.addrs}}"
        clientType: persistent_queue
        clientId: "{{.clientId}}"
        topics:
        - "{{.topic}}"
        persistSubscription: false
        qos: 2
)";

}  // namespace

TEST_CASE("a Venom 1.1-style suite (lower-case paths, mixed-case payload keys) passes unchanged") {
  local_broker broker;
  workspace ws;
  ws.write("mqtt.yml", venom_1_1_suite);
  cli_result r = ws.mqttest("run mqtt.yml --var addrs=" + broker.url());
  CHECK_MESSAGE(r.status == 0, std::string(r.out + r.err));
  CHECK_MESSAGE(contains(r.out, "2 passed, 0 failed"), r.out);
}

TEST_CASE("a path that resolves to nothing names the segment and the nearest key") {
  local_broker broker;
  workspace ws;
  std::string suite = venom_1_1_suite;
  suite.replace(suite.find("messagesjson0.unit ShouldEqual C"), 32,
                "messagesjson0.uint ShouldEqual C");
  ws.write("mqtt.yml", suite);
  cli_result r = ws.mqttest("run mqtt.yml --var addrs=" + broker.url());
  CHECK(r.status == 1);
  CHECK_MESSAGE(contains(r.out,
                         "result.messagesjson.messagesjson0 has no key \"uint\" (did you "
                         "mean \"Unit\"?)"),
                r.out);
}

TEST_CASE("--lenient-keys: unknown keys at every level are warnings with file:line:col") {
  local_broker broker;
  workspace ws;
  ws.write("tree.yml", R"(name: migrated
owner: team-a
testcases:
- name: round trip
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    timeot: 100
    messages:
    - {topic: lenient/x, payload: hi, retain: true}
)");
  cli_result strict = ws.mqttest("run tree.yml --var addrs=" + broker.url());
  CHECK(strict.status == 2);
  CHECK_MESSAGE(contains(strict.err, "tree.yml:2:1: unknown key \"owner\" in suite"), strict.err);

  cli_result lenient = ws.mqttest("run --lenient-keys tree.yml --var addrs=" + broker.url());
  CHECK_MESSAGE(lenient.status == 0, std::string(lenient.out + lenient.err));
  CHECK(contains(lenient.err,
                 "mqttest: warning: tree.yml:2:1: unknown key \"owner\" in suite "
                 "(ignored: --lenient-keys)"));
  CHECK(contains(lenient.err,
                 "mqttest: warning: tree.yml:9:5: unknown key \"timeot\" in step "
                 "(did you mean \"timeout\"?) (ignored: --lenient-keys)"));
  CHECK_MESSAGE(contains(lenient.err,
                         "mqttest: warning: tree.yml:11:39: unknown key \"retain\" in "
                         "message (did you mean \"retained\"?) (ignored: "
                         "--lenient-keys)"),
                lenient.err);
  CHECK(contains(lenient.out, "1 passed, 0 failed"));

  cli_result validated = ws.mqttest("validate --lenient-keys tree.yml");
  CHECK(validated.status == 0);
  CHECK(contains(validated.err, "tree.yml:9:5: unknown key \"timeot\""));
}
