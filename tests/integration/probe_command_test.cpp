// `mqttest probe` as the real binary: against a private mosquitto (plain,
// with a packet size limit, TLS + password), an unreachable port, a broker
// that never answers, and fake brokers that close or refuse per MQTT version.
// The --json document is checked against schemas/probe.schema.json.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"
#include "tests/integration/fake_broker.h"
#include "tests/integration/free_port.h"
#include "tests/integration/secure_broker.h"
#include "tests/valijson_problems.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::fake_broker;
using mqttest::testing::workspace;
using nlohmann::json;
using std::chrono::steady_clock;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// valijson's problems with `value` against schemas/probe.schema.json; "" when valid.
std::string schema_problems(const json& value) {
  static const auto schema = valijson_schema([] {
    std::ifstream in(mqttest::testing::source_dir() + "/schemas/probe.schema.json");
    return json::parse(in);
  }());
  return valijson_problems(*schema, value);
}

/// The --json document on stdout, valid against the schema.
json probe_document(const cli_result& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  json doc = json::parse(r.out, nullptr, false);
  REQUIRE(!doc.is_discarded());
  CHECK(schema_problems(doc) == "");
  return doc;
}

double seconds_since(steady_clock::time_point start) {
  return std::chrono::duration<double>(steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("probe --json: mosquitto's versions, CONNACK capabilities and measurements") {
  local_broker broker;
  workspace ws;
  cli_result r = ws.mqttest("probe --json --max-payload 65536 --addrs " + broker.url());
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  json doc = probe_document(r);
  CHECK(doc["broker"] == broker.url());
  CHECK(doc["versions"]["5"] == json{{"accepted", true}});
  CHECK(doc["versions"]["3.1.1"] == json{{"accepted", true}});
  CHECK(doc["versions"]["3.1"] == json{{"accepted", true}});

  const json& caps = doc["capabilities"];
  CHECK(caps["maximum_qos"] == 2);
  CHECK(caps["retain_available"] == true);
  CHECK(caps["shared_subscription_available"] == true);
  CHECK(caps["topic_alias_maximum"] == 10);  // mosquitto 2.0 declares 10
  CHECK(caps["receive_maximum"] == 20);      // and 20
  CHECK(caps["maximum_packet_size"].is_null());
  CHECK(caps["assigned_client_identifier"]["accepted"] == true);
  CHECK(caps["assigned_client_identifier"]["assigned"].get<std::string>().rfind("auto-", 0) == 0);

  const json& m = doc["measured"];
  CHECK(m["protocol"] == "5");
  for (int qos = 0; qos <= 2; ++qos) {
    CAPTURE(qos);
    CHECK(m["qos"][std::to_string(qos)] ==
          json{{"granted", qos}, {"published", qos}, {"delivered", qos}});
  }
  CHECK(m["retained"] == json{{"delivered", true}});
  CHECK(m["session"] == json{{"session_present", true}, {"queued_delivered", true}});
  CHECK(m["sys_topics"]["available"] == true);
  CHECK(m["sys_topics"]["first_topic"].get<std::string>().rfind("$SYS/", 0) == 0);
  CHECK(m["max_payload"] ==
        json{{"largest_accepted", 65536}, {"smallest_refused", nullptr}, {"cap", 65536}});
  CHECK(m["round_trip"]["samples"] == 5);
  CHECK(m["round_trip"]["median_ms"].get<double>() < 1000);

  // The probe cleaned up: no retained message and no session left behind.
  cli_result retained = ws.mqttest("sub --addrs " + broker.url() + " -t 'mqttest/#' -C 0 -W 300");
  CHECK(json::parse(retained.out)["ignored"] == 0);
}

TEST_CASE("probe: the table names every section, MQTTEST_ADDRS gives the broker") {
  local_broker broker;
  workspace ws;
  cli_result r = ws.mqttest("probe --max-payload 4096", "MQTTEST_ADDRS=" + broker.url());
  CHECK(r.status == 0);
  INFO(r.out);
  CHECK(r.out.rfind("broker " + broker.url() + "\n", 0) == 0);
  for (const char* line :
       {"MQTT versions", "  5      ", "accepted", "MQTT 5 CONNACK capabilities", "Maximum QoS",
        "Retain Available", "Topic Alias Maximum", "Receive Maximum",
        "Maximum Packet Size                  no limit  (not declared: the default)",
        "Assigned client id (empty id given)  auto-", "Measured (MQTT 5)",
        "QoS 2 subscribe + publish            granted 2, delivered 2",
        "Retained message delivered           yes",
        "session present yes, queued message delivered yes", "$SYS topics",
        "Largest payload accepted             4096 bytes and more", "Round-trip time"}) {
    CAPTURE(line);
    CHECK(contains(r.out, line));
  }
}

TEST_CASE("probe: a declared Maximum Packet Size bounds the payload search") {
  mqttest::broker_options options;
  options.extra_config = "max_packet_size 20000\n";
  local_broker broker(options);
  workspace ws;
  cli_result r = ws.mqttest("probe --json --timeout 1000 --addrs " + broker.url());
  CHECK(r.status == 0);
  json doc = probe_document(r);
  CHECK(doc["capabilities"]["maximum_packet_size"] == 20000);
  CHECK(doc["capabilities"]["declared"].dump().find("maximum_packet_size") != std::string::npos);
  const json& payload = doc["measured"]["max_payload"];
  INFO(payload.dump());
  CHECK(payload["cap"] == 20001);
  // The PUBLISH packet holds the topic and lengths besides the payload.
  CHECK(payload["largest_accepted"].get<int>() > 19800);
  CHECK(payload["largest_accepted"].get<int>() < 20000);
  CHECK(payload["smallest_refused"].get<int>() - payload["largest_accepted"].get<int>() <= 200);
}

TEST_CASE("probe: a broker that refuses retained messages and QoS 2 says so") {
  mqttest::broker_options options;
  options.extra_config = "retain_available false\nmax_qos 1\n";
  local_broker broker(options);
  workspace ws;
  cli_result r =
      ws.mqttest("probe --json --timeout 500 --max-payload 1024 --addrs " + broker.url());
  CHECK(r.status == 0);
  json doc = probe_document(r);
  CHECK(doc["capabilities"]["maximum_qos"] == 1);
  CHECK(doc["capabilities"]["retain_available"] == false);
  // Publishing above the declared Maximum QoS is a protocol error: the probe sends QoS 1.
  CHECK(doc["measured"]["qos"]["2"] == json{{"granted", 1}, {"published", 1}, {"delivered", 1}});
  CHECK(
      doc["measured"]["retained"] ==
      json{{"delivered", false}, {"error", "not tried: the CONNACK declares Retain Available 0"}});
  CHECK(doc["measured"]["session"]["queued_delivered"] == true);
}

TEST_CASE("probe: TLS and a password, as pub and sub take them") {
  mqttest::testing::secure_broker broker;
  workspace ws;
  std::string tls = fmt::format("--addrs {} --ca-file {} -u alice -P wonderland", broker.tls_url(),
                                broker.file("ca.crt"));
  // alice may use open/# only (the broker's ACL).
  cli_result r = ws.mqttest("probe --json --max-payload 2048 --topic-root open/probe " + tls);
  CHECK(r.status == 0);
  json doc = probe_document(r);
  CHECK(doc["versions"]["5"]["accepted"] == true);
  CHECK(doc["versions"]["3.1.1"]["accepted"] == true);
  CHECK(doc["measured"]["qos"]["1"] == json{{"granted", 1}, {"published", 1}, {"delivered", 1}});
  CHECK(doc["measured"]["retained"]["delivered"] == true);

  cli_result refused =
      ws.mqttest(fmt::format("probe --json --addrs {} --ca-file {} -u alice -P nope",
                             broker.tls_url(), broker.file("ca.crt")));
  CHECK(refused.status == 1);
  json denied = probe_document(refused);
  CHECK(denied["versions"]["5"]["reason"] ==
        "refused by the broker: not authorized (CONNACK 0x87)");
  CHECK(denied["versions"]["3.1.1"]["reason"] ==
        "refused by the broker: not authorized (CONNACK 5)");
  CHECK(denied["measured"].is_null());
  CHECK(contains(refused.err, "mqttest probe: cannot use the broker at " + broker.tls_url()));
  CHECK(!contains(refused.out + refused.err, "nope"));

  cli_result pub = ws.mqttest("pub " + tls + " -t open/flags -q 1 -m hi");
  CHECK(pub.status == 0);
  cli_result untrusted = ws.mqttest(
      fmt::format("pub --addrs {} -u alice -P wonderland -t open/x -m hi", broker.tls_url()));
  CHECK(untrusted.status == 1);
  CHECK(contains(untrusted.out, "TLS handshake failed"));
  cli_result insecure = ws.mqttest(
      fmt::format("sub --addrs {} --insecure -u alice -P wonderland -t open/none -C 0 -W 100",
                  broker.tls_url()));
  CHECK(insecure.status == 0);
}

TEST_CASE("probe, pub: usage errors exit 2 before anything connects") {
  workspace ws;
  struct usage_case {
    std::string args;
    std::string message;
  };
  const usage_case cases[] = {
      {"probe --addrs nonsense",
       "mqttest probe: --addrs must be a broker URL such as tcp://localhost:1883, got "
       "\"nonsense\""},
      {"probe --addrs tcp://h:99999",
       "mqttest probe: --addrs \"tcp://h:99999\" has a bad port \"99999\""},
      {"probe --addrs tcp://h:1883 --ca-file ca.crt",
       "mqttest probe: --ca-file, --cert, --key and --insecure need an ssl://, mqtts:// or wss:// "
       "address, got \"tcp://h:1883\""},
      {"probe --addrs tcp://h:1883 -P secret", "mqttest probe: --password needs --username"},
      {"probe --topic-root 'a/#'", "mqttest probe: --topic-root must be a topic without wildcards"},
      {"probe --max-payload 0", "--max-payload"},
      {"pub --addrs tcp://h:1883 --insecure -t a -m x",
       "mqttest pub: --ca-file, --cert, --key and --insecure need an ssl://"},
      {"sub --addrs tcp://h:1883 -P x -t a", "mqttest sub: --password needs --username"},
  };
  for (const usage_case& c : cases) {
    CAPTURE(c.args);
    cli_result r = ws.mqttest(c.args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, c.message));
    CHECK(!contains(r.err, "secret"));
  }
}

TEST_CASE("probe: an unreachable broker is exit 1 with the reason, at once") {
  workspace ws;
  std::string url = fmt::format("tcp://127.0.0.1:{}", mqttest::testing::free_port());
  auto start = steady_clock::now();
  cli_result r = ws.mqttest("probe --json --addrs " + url);
  CHECK(seconds_since(start) < 3);
  CHECK(r.status == 1);
  json doc = probe_document(r);
  for (const char* version : {"5", "3.1.1", "3.1"})
    CHECK(doc["versions"][version] == json{{"accepted", false}, {"reason", "connection refused"}});
  CHECK(doc["error"] == "connection refused");
  CHECK(doc["capabilities"].is_null());
  CHECK(r.err == "mqttest probe: cannot use the broker at " + url + ": connection refused\n");

  cli_result table = ws.mqttest("probe --addrs " + url);
  CHECK(table.status == 1);
  CHECK(contains(table.out,
                 "  5                                    not accepted: connection refused"));
}

TEST_CASE(
    "probe: a broker that accepts TCP and never answers is exit 1 within the connect timeout") {
  fake_broker silent({{5, {fake_broker::answer::silence}},
                      {4, {fake_broker::answer::silence}},
                      {3, {fake_broker::answer::silence}}});
  workspace ws;
  auto start = steady_clock::now();
  cli_result r = ws.mqttest("probe --json --connect-timeout 500 --addrs " + silent.url());
  double took = seconds_since(start);
  CHECK(took < 3);
  CHECK(r.status == 1);
  json doc = probe_document(r);
  CHECK(doc["versions"]["5"]["reason"] == "no CONNACK within 500 ms");
  CHECK(doc["error"] == "no CONNACK within 500 ms");
  CHECK(contains(r.err, "cannot use the broker at " + silent.url() + ": no CONNACK within 500 ms"));
}

TEST_CASE("probe: per version, a closed connection and a refusing CONNACK are told apart") {
  // RabbitMQ 3.10 closes an MQTT 5 connection without CONNACK.
  fake_broker picky({{5, {fake_broker::answer::close}},
                     {4, {fake_broker::answer::refuse, 5}},
                     {3, {fake_broker::answer::refuse, 1}}});
  workspace ws;
  cli_result r = ws.mqttest("probe --json --addrs " + picky.url());
  CHECK(r.status == 1);
  json doc = probe_document(r);
  CHECK(doc["versions"]["5"]["reason"] ==
        "the broker closed the connection after an MQTT 5 CONNECT without sending a CONNACK; it "
        "may not support MQTT 5 (`mqttest probe` shows which versions it accepts)");
  CHECK(doc["versions"]["3.1.1"]["reason"] == "refused by the broker: not authorized (CONNACK 5)");
  CHECK(doc["versions"]["3.1"]["reason"] ==
        "refused by the broker: unacceptable protocol version (CONNACK 1)");
  CHECK(
      contains(doc["error"].get<std::string>(), "no MQTT version accepted (5: the broker closed"));
}

TEST_CASE(
    "a step whose MQTT 5 CONNECT the broker drops says so, not 'TCP connect completion failure'") {
  fake_broker no_v5({{5, {fake_broker::answer::close}}});
  workspace ws;
  ws.write("v5.yml", R"(name: v5
testcases:
- name: publish with MQTT 5
  steps:
  - {type: mqtt, addrs: "{{.addrs}}", clientType: publisher, protocolVersion: 5, messages: [{topic: a, payload: x}]}
)");
  cli_result r = ws.mqttest("run v5.yml --var addrs=" + no_v5.url());
  CHECK(r.status == 1);
  INFO(r.out);
  CHECK(contains(r.out,
                 fmt::format("connect to {} failed: the broker closed the connection after an MQTT "
                             "5 CONNECT without sending a CONNACK; it may not support MQTT 5 "
                             "(`mqttest probe` shows which versions it accepts)",
                             no_v5.url())));
  CHECK(!contains(r.out, "completion failure"));
}
