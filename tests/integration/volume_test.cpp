// Many messages from one process: `pub -l`, `pub --repeat/--interval`,
// `sub --stream` (flat memory), and the report cap (`run --report-messages`),
// run as the real binary against a real mosquitto.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"

using mqttest::broker_options;
using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::workspace;
using nlohmann::json;

namespace {

std::string addrs(const local_broker& broker) { return "--addrs " + broker.url(); }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Runs mqttest with `file` (in the workspace) as standard input.
cli_result with_stdin(const workspace& ws, const std::string& file, const std::string& args,
                      const std::string& env = {}) {
  return ws.mqttest(args, env + " sh -c 'exec \"$0\" \"$@\" <" + file + "'");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// A broker that queues enough QoS 0 messages for an offline persistent session.
broker_options deep_queues() {
  return {.extra_config = "max_queued_messages 1000000\nqueue_qos0_messages true\n"};
}

/// Registers persistent session `id` on `topic` (QoS 1).
void register_queue(const workspace& ws, const local_broker& broker, const std::string& id,
                    const std::string& topic) {
  cli_result r =
      ws.mqttest(fmt::format("queue {} -i {} -t {} -q 1 --register", addrs(broker), id, topic));
  REQUIRE(r.status == 0);
}

/// Peak RSS in KB of the largest child process waited for so far.
long children_peak_rss_kb() {
  struct rusage usage {};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_maxrss;
}

}  // namespace

TEST_CASE("pub -l: one message per stdin line, in order, empty lines included") {
  local_broker broker;
  workspace ws;
  register_queue(ws, broker, "lines-1", "l/a");
  ws.write("lines.txt", "first\n\n{\"n\": 3}\nlast without newline");
  cli_result pub = with_stdin(ws, "lines.txt", "pub " + addrs(broker) + " -t l/a -q 1 -l");
  INFO(pub.out << pub.err);
  CHECK(pub.status == 0);
  CHECK(json::parse(pub.out)["published"] == 4);

  cli_result sub =
      ws.mqttest("sub " + addrs(broker) + " -i lines-1 -t l/a -q 1 --persist -C 4 -W 3000");
  INFO(sub.out << sub.err);
  CHECK(sub.status == 0);
  CHECK(json::parse(sub.out)["messages"] ==
        json::array({"first", "", "{\"n\": 3}", "last without newline"}));
}

TEST_CASE("pub -l with empty stdin publishes nothing and passes") {
  local_broker broker;
  workspace ws;
  ws.write("empty.txt", "");
  cli_result pub = with_stdin(ws, "empty.txt", "pub " + addrs(broker) + " -t l/e -q 1 -l");
  CHECK(pub.status == 0);
  CHECK(json::parse(pub.out)["published"] == 0);
}

TEST_CASE("pub -l, QoS 2, many lines: all published through the in-flight window, in order") {
  local_broker broker(deep_queues());
  workspace ws;
  register_queue(ws, broker, "lines-2", "l/b");
  std::string text;
  for (int i = 0; i < 500; ++i) text += std::to_string(i) + "\n";
  ws.write("many.txt", text);
  cli_result pub = with_stdin(ws, "many.txt", "pub " + addrs(broker) + " -t l/b -q 2 -l");
  INFO(pub.err);
  CHECK(pub.status == 0);
  CHECK(json::parse(pub.out)["published"] == 500);
  cli_result sub =
      ws.mqttest("sub " + addrs(broker) + " -i lines-2 -t l/b -q 2 --persist -C 500 -W 5000");
  json messages = json::parse(sub.out)["messages"];
  REQUIRE(messages.size() == 500);
  for (int i = 0; i < 500; ++i) CHECK(messages[i] == std::to_string(i));
}

TEST_CASE("pub -l to a dead broker: exit 1 and the connect error") {
  workspace ws;
  ws.write("lines.txt", "a\nb\n");
  cli_result pub = with_stdin(ws, "lines.txt", "pub --addrs tcp://127.0.0.1:1 -t l/x -l");
  CHECK(pub.status == 1);
  CHECK(json::parse(pub.out)["published"] == 0);
  CHECK(contains(pub.err, "connect to tcp://127.0.0.1:1 failed"));
}

TEST_CASE("pub --repeat N --interval MS: N messages, MS apart") {
  local_broker broker;
  workspace ws;
  register_queue(ws, broker, "rep-1", "r/a");
  auto start = std::chrono::steady_clock::now();
  cli_result pub =
      ws.mqttest("pub " + addrs(broker) + " -t r/a -q 1 -m tick --repeat 5 --interval 50");
  auto took = std::chrono::steady_clock::now() - start;
  INFO(pub.err);
  CHECK(pub.status == 0);
  CHECK(json::parse(pub.out)["published"] == 5);
  CHECK(took >= std::chrono::milliseconds(200));  // four pauses between five messages
  cli_result sub =
      ws.mqttest("sub " + addrs(broker) + " -i rep-1 -t r/a -q 1 --persist -C 5 -W 3000");
  CHECK(json::parse(sub.out)["messages"] == json::array({"tick", "tick", "tick", "tick", "tick"}));
}

TEST_CASE("pub: bad --repeat, --interval and -l combinations are usage errors") {
  workspace ws;
  struct {
    std::string args, message;
  } cases[] = {
      {"-t a -m x --repeat 0", "--repeat: Value 0 not in range 1 to 2147483647"},
      {"-t a -m x --interval -5", "--interval: Value -5 not in range 0 to 2147483647"},
      {"-t a -l --repeat 2", "--repeat excludes --stdin-line"},
      {"-t a -l -m x", "Exactly 1 option from [-m,--message,-f,--file,-s,--stdin-message,"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    cli_result r = ws.mqttest("pub --addrs tcp://127.0.0.1:1 " + c.args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, c.message));
  }
}

TEST_CASE("sub --stream: one JSON line per message on stdout, the result on stderr") {
  local_broker broker;
  workspace ws;
  register_queue(ws, broker, "stream-1", "st/#");
  ws.write("lines.txt", "one\n{\"n\":2}\nthree\n");
  REQUIRE(with_stdin(ws, "lines.txt", "pub " + addrs(broker) + " -t st/x -q 1 -l").status == 0);
  cli_result sub = ws.mqttest("sub " + addrs(broker) +
                              " -i stream-1 -t 'st/#' -q 1 --persist --stream -C 3 -W 3000");
  INFO(sub.out << sub.err);
  CHECK(sub.status == 0);
  std::vector<std::string> lines = lines_of(sub.out);
  REQUIRE(lines.size() == 3);
  std::vector<std::string> payloads;
  for (const std::string& line : lines) {
    json message = json::parse(line);
    CHECK(message["topic"] == "st/x");
    CHECK(message["qos"] == 1);
    CHECK(message["retained"] == false);
    payloads.push_back(message["payload"]);
  }
  CHECK(payloads == std::vector<std::string>{"one", "{\"n\":2}", "three"});
  CHECK(json::parse(lines[1])["payloadSize"] == 7);
  // The closing result: counts and error, no stored messages.
  json result = json::parse(sub.err);
  CHECK(result["received"] == 3);
  CHECK(result["error"] == "");
  CHECK(result["messages"] == json::array());
}

TEST_CASE("sub --stream with fewer messages than -C: the lines that came, exit 1, why") {
  local_broker broker;
  workspace ws;
  register_queue(ws, broker, "stream-2", "st/b");
  REQUIRE(ws.mqttest("pub " + addrs(broker) + " -t st/b -q 1 -m only").status == 0);
  cli_result sub = ws.mqttest("sub " + addrs(broker) +
                              " -i stream-2 -t st/b -q 1 --persist --stream -C 2 -W 1500");
  CHECK(sub.status == 1);
  REQUIRE(lines_of(sub.out).size() == 1);
  CHECK(json::parse(sub.out)["payload"] == "only");
  CHECK(contains(sub.err, "\"received\":1"));
  CHECK(contains(sub.err, "received 1 of 2 messages on [st/b] within 1500 ms"));
}

TEST_CASE("sub --stream --assert: assertions see the counts") {
  local_broker broker;
  workspace ws;
  register_queue(ws, broker, "stream-3", "st/c");
  REQUIRE(ws.mqttest("pub " + addrs(broker) + " -t st/c -q 1 -m x --repeat 2").status == 0);
  cli_result sub = ws.mqttest("sub " + addrs(broker) +
                              " -i stream-3 -t st/c -q 1 --persist --stream -C 2 -W 2000 "
                              "--assert 'result.received ShouldEqual 3'");
  CHECK(sub.status == 1);
  CHECK(lines_of(sub.out).size() == 2);
  CHECK(contains(sub.err, "ShouldEqual"));
}

TEST_CASE("sub --stream and pub -l: 20,000 messages in flat memory") {
  // The queue is filled while the session is offline, then drained. A run
  // of 1,000 messages gives the baseline (the binary, Paho, ASan's shadow);
  // 20,000 messages (0.7 MB of payload; stored as JSON they would take about
  // 80 MB) may add at most 16 MB more. (20,000: the sanitizer build takes
  // about 1 ms a message.)
  // ASan's quarantine of freed memory would hide the difference: off.
  local_broker broker(deep_queues());
  workspace ws;
  const std::string env = "ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=0";
  auto fill = [&](const std::string& id, int count) {
    register_queue(ws, broker, id, "big/" + id);
    std::string text;
    for (int i = 0; i < count; ++i)
      text += fmt::format("{{\"id\":{:07},\"v\":21.5,\"s\":\"t1\"}}\n", i);
    ws.write(id + ".txt", text);
    REQUIRE(
        with_stdin(ws, id + ".txt", fmt::format("pub {} -t big/{} -q 0 -l", addrs(broker), id), env)
            .status == 0);
  };
  auto drain = [&](const std::string& id, int count) {
    cli_result r = ws.mqttest(fmt::format("sub {} -i {} -t big/{} -q 1 --persist --stream -C {} "
                                          "-W 120000",
                                          addrs(broker), id, id, count),
                              env);
    INFO(r.err.substr(0, 2000));
    REQUIRE(r.status == 0);
    CHECK(contains(r.err, fmt::format("\"received\":{}", count)));
    return children_peak_rss_kb();
  };
  fill("small", 1000);
  long baseline = drain("small", 1000);
  fill("large", 20000);  // pub -l must stay flat too: its peak counts
  long peak = drain("large", 20000);
  MESSAGE("peak RSS: 1,000 messages " << baseline << " KB, 20,000 messages " << peak << " KB");
  CHECK(peak - baseline < 16 * 1024);
}

TEST_CASE("run --report-messages: -v and report files show N messages, assertions see all") {
  local_broker broker;
  workspace ws;
  std::string publish;
  for (int i = 0; i < 5; ++i) publish += fmt::format("    - {{topic: cap/a, payload: m{}}}\n", i);
  ws.write("suite.yml", R"(name: cap
vars:
  addrs: 'tcp://127.0.0.1:1'
testcases:
- name: five messages
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [cap/a]
    messageLimit: 5
    publish:
)" + publish + R"(    assertions:
    - result.received ShouldEqual 5
    - result.messages.messages4 ShouldEqual m4
)");
  cli_result r = ws.mqttest("run suite.yml --var addrs=" + broker.url() +
                            " -v --report-messages 2 --format json");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "\"m1\""));
  CHECK(!contains(r.out, "\"m2\""));
  CHECK(contains(r.out, "\u2026 and 3 more"));
  json report = json::parse(mqttest::testing::read_text(ws.dir() / "mqttest-report.json"));
  INFO(report.dump());
  json messages = report["suites"][0]["cases"][0]["steps"][0]["result"]["messages"];
  CHECK(messages == json::array({"m0", "m1", "\u2026 and 3 more"}));

  cli_result all =
      ws.mqttest("run suite.yml --var addrs=" + broker.url() + " -v --report-messages 0");
  CHECK(all.status == 0);
  CHECK(contains(all.out, "\"m4\""));
  CHECK(!contains(all.out, "more\""));

  cli_result bad = ws.mqttest("run suite.yml --report-messages -1");
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "--report-messages"));
}
