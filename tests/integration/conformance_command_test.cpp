// `mqttest conformance` as the real binary with the small kit in
// tests/integration/conformance_kit/ (--kit): the probe's findings become
// the kit's variables, skips name what the broker does not support, the
// closing line counts the checks, reports are written as for `run`.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"
#include "tests/integration/fake_broker.h"
#include "tests/integration/free_port.h"
#include "tests/integration/secure_broker.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::fake_broker;
using mqttest::testing::workspace;
using std::chrono::steady_clock;

namespace {

const std::string kit =
    " --kit '" + mqttest::testing::source_dir() + "/tests/integration/conformance_kit'";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool ends_with(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

double seconds_since(steady_clock::time_point start) {
  return std::chrono::duration<double>(steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("conformance: probe, then every check of the kit holds on mosquitto, JUnit written") {
  local_broker broker;
  workspace ws;
  cli_result r = ws.mqttest("conformance --addrs " + broker.url() + kit +
                            " --format junit --output-dir reports");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.rfind("broker " + broker.url() + "\n\nMQTT versions\n", 0) == 0);
  CHECK(contains(r.out, "[MQTT-3.3.1-6] a new subscriber receives the retained message"));
  CHECK(ends_with(r.out, "\n3 of 3 checks hold, 0 skipped\n"));
  std::string junit = mqttest::testing::read_text(ws.dir() / "reports/mqttest-junit.xml");
  CHECK(contains(junit, "[MQTT-4.8.2-1] a shared subscription receives the message"));
}

TEST_CASE("conformance --protocol 3.1.1: the MQTT 5 checks are skipped as not selected") {
  local_broker broker;
  workspace ws;
  cli_result r = ws.mqttest("conformance -q --protocol 3.1.1 --addrs " + broker.url() + kit);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(ends_with(r.out,
                  "\n2 of 2 checks hold, 1 skipped (not selected: MQTT 5 (--protocol 3.1.1))\n"));
}

TEST_CASE("conformance: a feature the broker declares unsupported is skipped with that reason") {
  mqttest::broker_options options;
  options.extra_config = "retain_available false\n";
  local_broker broker(options);
  workspace ws;
  cli_result r = ws.mqttest("conformance -j 2 --addrs " + broker.url() + kit +
                            " --format json --output-dir .");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "Retain Available                     no"));
  CHECK(ends_with(r.out, "\n1 of 1 checks hold, 2 skipped (not supported: retained messages)\n"));
  std::string report = mqttest::testing::read_text(ws.dir() / "mqttest-report.json");
  CHECK(contains(report, "probe_retain_available ShouldEqual true: expected true but was false"));
}

TEST_CASE("conformance: a check that does not hold is exit 1 and counted") {
  local_broker broker;
  workspace ws;
  ws.write("kit/fails.yml", R"(name: failing kit
testcases:
- name: "[MQTT-0.0.0-0] something nobody publishes arrives"
  steps:
  - {type: mqtt, addrs: "{{.addrs}}", clientType: subscriber, topics: [kit/nobody], timeout: 200}
)");
  cli_result r = ws.mqttest("conformance -q --kit kit --addrs " + broker.url());
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(contains(r.out, "FAIL  kit/fails.yml: [MQTT-0.0.0-0] something nobody publishes arrives"));
  CHECK(ends_with(r.out, "\n0 of 1 checks hold, 0 skipped\n"));
}

TEST_CASE("conformance --local-broker checks a private mosquitto") {
  workspace ws;
  cli_result r = ws.mqttest("conformance -q --local-broker" + kit);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(ends_with(r.out, "\n3 of 3 checks hold, 0 skipped\n"));
}

TEST_CASE(
    "conformance --local-broker probes its TLS, password and WebSocket listeners and gives them "
    "to the kit") {
  workspace ws;
  ws.write("kit/secure.yml", R"(name: private broker listeners (test kit)
vars: {auth_addrs: "", tls_addrs: "", ca_file: "", username: "", password: "", other: ""}
secrets: [password]
testcases:
- name: "[MQTT-3.1.3-11] the password listener takes the user name and password"
  steps:
  - type: mqtt
    addrs: "{{.auth_addrs}}"
    username: "{{.username}}"
    password: "{{.password}}"
    clientType: publisher
    messages: [{topic: "mqttest/{{.mqttest.runid}}", payload: x}]
- name: "[MQTT-4.2.0-1] the TLS listener is reached with the CA file"
  steps:
  - type: mqtt
    addrs: "{{.tls_addrs}}"
    tls: {caFile: "{{.ca_file}}"}
    clientType: publisher
    messages: [{topic: "mqttest/{{.mqttest.runid}}", payload: x}]
- name: "[MQTT-0.0.0-0] needs a variable only the user can give"
  skip:
  - other ShouldNotBeEmpty
  steps:
  - {type: mqtt, addrs: "{{.other}}", clientType: publisher, messages: [{topic: x, payload: x}]}
)");
  cli_result r = ws.mqttest("conformance --local-broker --kit kit");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "\nTLS listener ssl://localhost:"));
  CHECK(contains(r.out, "\npassword listener tcp://127.0.0.1:"));
  CHECK(contains(r.out, "\nWebSocket listener ws://127.0.0.1:"));
  CHECK(contains(r.out, "\nsecure WebSocket listener wss://localhost:"));
  CHECK(
      ends_with(r.out, "\n2 of 2 checks hold, 1 skipped (not given: other (--var NAME=VALUE))\n"));
}

TEST_CASE("conformance --var sets a kit variable, over what the probe found") {
  workspace ws;
  cli_result r =
      ws.mqttest("conformance -q --local-broker --var probe_shared_available=false" + kit);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(
      ends_with(r.out, "\n2 of 2 checks hold, 1 skipped (not supported: shared subscriptions)\n"));
}

TEST_CASE("conformance: TLS and a password reach the probe and the kit's variables") {
  mqttest::testing::secure_broker broker;
  workspace ws;
  ws.write("kit/secure.yml", R"(name: secure kit
testcases:
- name: "[MQTT-3.1.3-11] user name and password are accepted"
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    username: "{{.username}}"
    password: "{{.password}}"
    tls: {caFile: "{{.ca_file}}"}
    clientType: subscriber
    topics: ["open/{{.mqttest.runid}}"]
    publish: [{topic: "open/{{.mqttest.runid}}", payload: x, qos: 1}]
    qos: 1
)");
  cli_result r =
      ws.mqttest(fmt::format("conformance -q --kit kit --topic-root open/probe --addrs {} "
                             "--ca-file {} -u alice -P wonderland",
                             broker.tls_url(), broker.file("ca.crt")));
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(ends_with(r.out, "\n1 of 1 checks hold, 0 skipped\n"));
}

TEST_CASE("conformance: an unreachable or silent broker is exit 1 at once, nothing run") {
  workspace ws;
  std::string url = fmt::format("tcp://127.0.0.1:{}", mqttest::testing::free_port());
  auto start = steady_clock::now();
  cli_result r = ws.mqttest("conformance --addrs " + url + kit + " --format junit");
  CHECK(seconds_since(start) < 3);
  CHECK(r.status == 1);
  CHECK(r.err == "mqttest conformance: cannot use the broker at " + url + ": connection refused\n");
  CHECK(!std::filesystem::exists(ws.dir() / "mqttest-junit.xml"));

  fake_broker silent({{5, {fake_broker::answer::silence}},
                      {4, {fake_broker::answer::silence}},
                      {3, {fake_broker::answer::silence}}});
  start = steady_clock::now();
  cli_result hung = ws.mqttest("conformance --connect-timeout 400 --addrs " + silent.url() + kit);
  CHECK(seconds_since(start) < 3);
  CHECK(hung.status == 1);
  CHECK(contains(hung.err, "no CONNACK within 400 ms"));
}

TEST_CASE("conformance: usage errors exit 2 before anything connects") {
  workspace ws;
  struct usage_case {
    std::string args;
    std::string message;
  };
  const usage_case cases[] = {
      {"conformance --kit nope", "mqttest conformance: --kit \"nope\": not a directory"},
      {"conformance --local-broker --addrs tcp://h:1883" + kit,
       "mqttest conformance: --local-broker starts its own broker: give no --addrs, auth or TLS "
       "flags"},
      {"conformance --protocol 4" + kit, "--protocol: 4 not in {3.1.1,5}"},
      {"conformance --format pdf" + kit, "--format"},
      {"conformance --var denied_filter" + kit,
       "mqttest conformance: --var needs name=value, got \"denied_filter\""},
      {"conformance --addrs nonsense" + kit,
       "mqttest conformance: --addrs must be a broker URL such as tcp://localhost:1883"},
  };
  for (const usage_case& c : cases) {
    CAPTURE(c.args);
    cli_result r = ws.mqttest(c.args);
    CHECK(r.status == 2);
    CHECK(contains(r.err, c.message));
  }
}
