// End-to-end: `exec` steps beside MQTT steps, through `mqttest run` against a
// real mosquitto.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::workspace;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Whether the process is gone (or a zombie waiting for a reaper).
bool process_gone(pid_t pid) {
  std::string stat = mqttest::testing::read_text("/proc/" + std::to_string(pid) + "/stat");
  return stat.empty() || stat.find(") Z ") != std::string::npos;
}

}  // namespace

TEST_CASE(
    "exec: mosquitto_pub fills a queue that persistent_queue registered, a subscriber reads it") {
  local_broker broker;
  workspace ws;
  ws.write("s.yml", R"(name: exec and mqtt
vars:
  addrs: tcp://127.0.0.1:1
testcases:
- name: device simulator publishes through an exec step
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: persistent_queue
    clientId: reader-exec
    topics: [sim/readings]
    persistSubscription: true
    qos: 1
  - script: |
      port="${ADDRS##*:}"
      for i in 1 2 3; do
        mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t sim/readings -m "{\"n\": $i}" || exit 1
      done
      echo '{"sent": 3}'
    assertions:
    - result.code ShouldEqual 0
    - result.code ShouldEqual "0"
    - result.systemoutjson.sent ShouldEqual 3
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    clientId: reader-exec
    topics: [sim/readings]
    persistSubscription: true
    qos: 1
    messageLimit: 3
    assertions:
    - result.messagesjson.messagesjson2.n ShouldEqual 3
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: persistent_queue
    clientId: reader-exec
    topics: [sim/readings]
    persistSubscription: false
- name: a failing command fails by its default assertion
  steps:
  - type: exec
    script: echo broken >&2; exit 4
)");
  cli_result r = ws.mqttest("run s.yml --var addrs=" + broker.url(), "ADDRS=" + broker.url() + " ");
  CHECK_MESSAGE(r.status == 1, std::string(r.out + r.err));
  CHECK_MESSAGE(contains(r.out, "PASS  device simulator publishes through an exec step"), r.out);
  CHECK_MESSAGE(contains(r.out, "FAIL  a failing command fails by its default assertion"), r.out);
  CHECK_MESSAGE(contains(r.out, "result.code ShouldEqual 0"), r.out);
  CHECK_MESSAGE(contains(r.out, "1 passed, 1 failed"), r.out);
}

TEST_CASE("exec: Ctrl-C during a long command ends the run with 130 and kills the command") {
  workspace ws;
  ws.write(
      "s.yml",
      "testcases:\n- name: long\n  steps:\n  - script: sleep 60 & echo $! > bg.pid; sleep 60\n");
  auto start = std::chrono::steady_clock::now();
  cli_result r = ws.mqttest_interrupted("run s.yml", std::chrono::milliseconds(500), SIGINT);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.status == 130);
  CHECK(seconds < 5);
  std::string pid_text = mqttest::testing::read_text(ws.dir() / "bg.pid");
  REQUIRE_FALSE(pid_text.empty());
  pid_t background = std::stoi(pid_text);
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    gone = process_gone(background);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!gone) ::kill(background, SIGKILL);  // leave nothing running, then fail
  CHECK(gone);
}
