// Contract tests against a real mosquitto: ShouldAllMatchJSONSchema in a run,
// and `mqttest record` writing suites that validate and pass against the
// traffic they came from.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "steps/mqtt/local_broker.h"
#include "steps/mqtt/session.h"
#include "tests/integration/cli_harness.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::read_text;
using mqttest::testing::workspace;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Publishes a repeating round of device traffic every 100 ms until destroyed.
class device_traffic {
 public:
  explicit device_traffic(const std::string& url) : thread_([this, url] { run(url); }) {}
  ~device_traffic() {
    stop_ = true;
    thread_.join();
  }
  device_traffic(const device_traffic&) = delete;
  device_traffic& operator=(const device_traffic&) = delete;

 private:
  void run(const std::string& url) {
    mqttest::session client(url, "device-traffic", {}, &stop_);
    REQUIRE(client.connect(true, 5000ms).ok());
    for (int round = 0; !stop_; ++round) {
      json reading{{"id", "lamp-1"}, {"lumens", 100 + round % 5 * 10}, {"on", true}};
      client.publish("lights/lamp-1/reading", reading.dump(), 0, false, 2000ms);
      client.publish("lights/lamp-1/status", "online", 0, false, 2000ms);
      std::this_thread::sleep_for(100ms);
    }
    client.disconnect(2000ms);
  }

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

const char* const kReadingSchema = R"({
  "type": "object",
  "required": ["id", "lumens"],
  "properties": {
    "id": {"type": "string"},
    "lumens": {"type": "integer", "minimum": 0, "maximum": 1000}
  }
})";

const char* const kContractSuite = R"(name: schema contract
testcases:
- name: readings match the contract
  steps:
  - type: mqtt
    addrs: '{{.addrs}}'
    clientType: subscriber
    clientId: '{{.reader}}'
    persistSubscription: true
    topics: [lights/+/reading]
    messageLimit: 2
    timeout: 3000
    qos: 1
    assertions:
    - result.messagesjson ShouldAllMatchJSONSchema schemas/reading.json
    - result.messagesjson.messagesjson0 MustMatchJSONSchema schemas/reading.json
)";

/// Queues two readings, in order, for the persistent session `reader` (registered
/// first, so nothing depends on when the run subscribes).
void queue_readings(const workspace& ws, const std::string& url, const std::string& reader,
                    const std::string& second) {
  REQUIRE(ws.mqttest("queue --register -q 1 -i " + reader + " -t lights/+/reading --addrs " + url)
              .status == 0);
  mqttest::session client(url, "publisher-" + reader, {}, nullptr);
  REQUIRE(client.connect(true, 5000ms).ok());
  REQUIRE(
      client
          .publish("lights/lamp-1/reading", R"({"id": "lamp-1", "lumens": 300})", 1, false, 2000ms)
          .ok());
  REQUIRE(client.publish("lights/lamp-2/reading", second, 1, false, 2000ms).ok());
  client.disconnect(2000ms);
}

}  // namespace

TEST_CASE("ShouldAllMatchJSONSchema in a run: passes on good messages, names the bad one") {
  local_broker broker;
  workspace ws;
  ws.write("schemas/reading.json", kReadingSchema);
  ws.write("contract.yml", kContractSuite);
  CHECK(ws.mqttest("validate contract.yml").status == 0);

  queue_readings(ws, broker.url(), "reader-good", R"({"id": "lamp-2", "lumens": 20})");
  cli_result ok =
      ws.mqttest("run contract.yml --var reader=reader-good --var addrs=" + broker.url());
  INFO(ok.out << ok.err);
  CHECK(ok.status == 0);

  queue_readings(ws, broker.url(), "reader-bad", R"({"id": "lamp-2", "lumens": 5000})");
  cli_result failed =
      ws.mqttest("run contract.yml --var reader=reader-bad --var addrs=" + broker.url());
  INFO(failed.out << failed.err);
  CHECK(failed.status == 1);
  CHECK(contains(failed.out + failed.err,
                 "message [1] of 2 does not match JSON Schema schemas/reading.json: /lumens: "
                 "Expected number less than or equal to 1000.000000 (value 5000)"));
}

TEST_CASE("a suite naming a missing schema file does not load: file:line:col, exit 2") {
  workspace ws;
  ws.write("s.yml", R"(testcases:
- steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: subscriber
    topics: [a]
    assertions:
    - result.messagesjson ShouldAllMatchJSONSchema schemas/missing.json
)");
  cli_result validated = ws.mqttest("validate s.yml");
  CHECK(validated.status == 2);
  CHECK(contains(validated.err, "s.yml:8:7: schema schemas/missing.json: "));
  CHECK(contains(validated.err, "cannot read file: No such file or directory"));
  cli_result run = ws.mqttest("run s.yml");
  CHECK(run.status == 2);
  CHECK(contains(run.err + run.out, "s.yml:8:7: schema schemas/missing.json: "));
}

TEST_CASE("mqttest record: the suite it writes validates and passes against the same traffic") {
  local_broker broker;
  workspace ws;
  device_traffic traffic(broker.url());
  std::this_thread::sleep_for(300ms);

  cli_result recorded = ws.mqttest("record --addrs " + broker.url() +
                                   " -t 'lights/#' -W 1500 -o recorded/lights.yml --schema");
  INFO(recorded.out << recorded.err);
  REQUIRE(recorded.status == 0);
  CHECK(contains(recorded.err, "message(s) on 2 topic(s) -> recorded/lights.yml"));
  std::string suite = read_text(ws.dir() / "recorded/lights.yml");
  CHECK(contains(suite, "- name: lights/lamp-1/reading"));
  CHECK(contains(suite, "- name: lights/lamp-1/status"));
  CHECK(contains(suite, "result.messagesjson.messagesjson0.lumens ShouldBeBetweenOrEqual 100 140"));
  CHECK(contains(suite, "result.messagesjson.messagesjson0.id ShouldEqual \"lamp-1\""));
  CHECK(contains(suite, "result.messages.messages0 ShouldEqual \"online\""));
  CHECK(contains(
      suite, "result.messagesjson ShouldAllMatchJSONSchema schemas/lights_lamp-1_reading.json"));
  CHECK(std::filesystem::exists(ws.dir() / "recorded/schemas/lights_lamp-1_reading.json"));
  CHECK(std::filesystem::exists(ws.dir() / "recorded/schemas/lights_lamp-1_status.json"));

  cli_result validated = ws.mqttest("validate recorded/lights.yml");
  INFO(validated.out << validated.err);
  CHECK(validated.status == 0);
  cli_result replayed = ws.mqttest("run recorded/lights.yml");
  INFO(replayed.out << replayed.err);
  CHECK(replayed.status == 0);
}

TEST_CASE("mqttest record: to stdout with -C, and the ways it refuses") {
  local_broker broker;
  workspace ws;
  {
    device_traffic traffic(broker.url());
    std::this_thread::sleep_for(300ms);
    cli_result counted =
        ws.mqttest("record --addrs " + broker.url() + " -t lights/lamp-1/status -C 2 -W 5000");
    INFO(counted.err);
    CHECK(counted.status == 0);
    CHECK(contains(counted.out, "# Recorded by mqttest record from " + broker.url() +
                                    ": 2 messages on 1 topic in 5000 ms."));
    CHECK(contains(counted.out, "messageLimit: 2"));
    CHECK(counted.err.empty());
  }

  cli_result silent = ws.mqttest("record --addrs " + broker.url() + " -t quiet/# -W 300 -o q.yml");
  CHECK(silent.status == 1);
  CHECK(silent.err ==
        "mqttest record: no message arrived on [quiet/#] within 300 ms; nothing "
        "written\n");
  CHECK_FALSE(std::filesystem::exists(ws.dir() / "q.yml"));

  cli_result dead = ws.mqttest("record --addrs tcp://127.0.0.1:1 -t a -W 300");
  CHECK(dead.status == 1);
  CHECK(contains(dead.err, "mqttest record: cannot connect to tcp://127.0.0.1:1: "));

  cli_result no_output = ws.mqttest("record --addrs " + broker.url() + " -t a --schema");
  CHECK(no_output.status == 2);
  CHECK(no_output.err ==
        "mqttest record: --schema needs -o FILE (the schemas are written beside it)\n");

  cli_result no_topic = ws.mqttest("record --addrs " + broker.url());
  CHECK(no_topic.status == 2);
  CHECK(contains(no_topic.err, "--topic is required"));
}

namespace {

const std::string kAsyncapiDocs = mqttest::testing::source_dir() + "/testsuites/asyncapi/";
const std::string kMeasuredTopic = "smartylighting/streetlights/1/0/event/9/lighting/measured";
const std::string kDimTopic = "smartylighting/streetlights/1/0/action/9/dim";

/// Publishes the given (topic, payload) pairs every 100 ms until destroyed.
class repeated_traffic {
 public:
  repeated_traffic(const std::string& url,
                   std::vector<std::pair<std::string, std::string>> messages)
      : messages_(std::move(messages)), thread_([this, url] { run(url); }) {}
  ~repeated_traffic() {
    stop_ = true;
    thread_.join();
  }
  repeated_traffic(const repeated_traffic&) = delete;
  repeated_traffic& operator=(const repeated_traffic&) = delete;

 private:
  void run(const std::string& url) {
    mqttest::session client(url, "streetlights-traffic", {}, &stop_);
    REQUIRE(client.connect(true, 5000ms).ok());
    while (!stop_) {
      for (const auto& [topic, payload] : messages_)
        client.publish(topic, payload, 0, false, 2000ms);
      std::this_thread::sleep_for(100ms);
    }
    client.disconnect(2000ms);
  }

  std::vector<std::pair<std::string, std::string>> messages_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("asyncapi gen: the suites of a 2.6 and a 3.0 document validate and run green") {
  local_broker broker;
  workspace ws;
  for (std::string version : {"2.6", "3.0"}) {
    CAPTURE(version);
    cli_result gen = ws.mqttest("asyncapi gen '" + kAsyncapiDocs + "streetlights-" + version +
                                ".yaml' --out v" + version);
    INFO(gen.err);
    REQUIRE(gen.status == 0);
    CHECK(contains(gen.out, "v" + version + "/"));
    cli_result validated = ws.mqttest("validate v" + version);
    INFO(validated.err);
    CHECK(validated.status == 0);
    CHECK(contains(validated.out, "3 suite file(s) valid"));
    // The 2.6 dim channel has no examples: its suite waits for live traffic.
    repeated_traffic traffic(broker.url(), {{kDimTopic, R"({"percentage": 30})"}});
    cli_result run = ws.mqttest("run v" + version + " --var addrs=" + broker.url());
    INFO(run.out << run.err);
    CHECK(run.status == 0);
    CHECK(contains(run.out, "3 passed, 0 failed"));
  }
}

TEST_CASE("asyncapi gen: broken documents are errors with file:line:col, exit 2") {
  workspace ws;
  ws.write("old.yaml", "asyncapi: 1.2.0\nchannels: {}\n");
  cli_result old = ws.mqttest("asyncapi gen old.yaml --out out");
  CHECK(old.status == 2);
  CHECK(old.err.starts_with(
      "old.yaml:1:11: unsupported AsyncAPI version \"1.2.0\" (mqttest reads 2.x and 3.0)\n"));
  ws.write("dangling.yaml",
           "asyncapi: 3.0.0\nchannels:\n  c:\n    address: a/b\n    messages:\n"
           "      m: {$ref: '#/components/messages/m'}\n");
  cli_result dangling = ws.mqttest("asyncapi gen dangling.yaml --out out");
  CHECK(dangling.status == 2);
  CHECK(dangling.err.starts_with("dangling.yaml:6:17: dangling $ref \"#/components/messages/m\""));
  CHECK_FALSE(std::filesystem::exists(ws.dir() / "out"));
  cli_result missing = ws.mqttest("asyncapi check none.yaml");
  CHECK(missing.status == 2);
  CHECK(contains(missing.err, "none.yaml: cannot read file: No such file or directory"));
  cli_result no_verb = ws.mqttest("asyncapi");
  CHECK(no_verb.status == 2);
}

TEST_CASE("asyncapi check: per channel counts, violations with pointers, silent channels") {
  local_broker broker;
  workspace ws;
  const std::string doc = "'" + kAsyncapiDocs + "streetlights-2.6.yaml'";
  {
    repeated_traffic good(broker.url(),
                          {{kMeasuredTopic, R"({"lumens": 5, "sentAt": "2026-01-01T00:00:00Z"})"},
                           {kDimTopic, R"({"percentage": 30})"}});
    cli_result ok =
        ws.mqttest("asyncapi check " + doc + " --addrs " + broker.url() + " --listen 800");
    INFO(ok.out << ok.err);
    CHECK(ok.status == 0);
    CHECK(contains(
        ok.out, "OK    smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured"));
    CHECK(contains(ok.out,
                   "NO TRAFFIC  smartylighting/streetlights/1/0/action/{streetlightId}/turn/on"));
    CHECK(contains(ok.out, "3 channels: "));
    CHECK(contains(ok.out, " 0 violations, 1 without traffic\n"));
  }
  {
    repeated_traffic bad(broker.url(), {{kMeasuredTopic, R"({"lumens": -1, "sentAt": "x"})"}});
    cli_result failed = ws.mqttest("asyncapi check " + doc + " --addrs " + broker.url() +
                                   " --listen 800 --format json");
    INFO(failed.out << failed.err);
    CHECK(failed.status == 1);
    json report = json::parse(failed.out, nullptr, false);
    REQUIRE_FALSE(report.is_discarded());
    CHECK(report["silent"] == 2);
    CHECK(report["violations"].get<int>() >= 1);
    const json& first = report["channels"][2]["violations"][0];
    CHECK(first["topic"] == kMeasuredTopic);
    CHECK(first["pointer"] == "/lumens");
    CHECK(first["value"] == -1);
  }
  cli_result dead = ws.mqttest("asyncapi check " + doc + " --addrs tcp://127.0.0.1:1 --listen 200");
  CHECK(dead.status == 1);
  CHECK(contains(dead.err, "mqttest asyncapi check: cannot connect to tcp://127.0.0.1:1: "));
}

TEST_CASE("the contracts examples pass against a private broker, as the demo runs them") {
  workspace ws;
  cli_result r =
      ws.mqttest("run --local-broker '" + mqttest::testing::source_dir() +
                 "/testsuites/examples/contracts'");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
}
