// `mqttest pub`, `sub`, `queue`, `help`, `--version`, and the console's -q /
// -vv, run as the real binary against a real mosquitto.

#include <doctest/doctest.h>
#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::workspace;
using nlohmann::json;

namespace {

std::string addrs(const local_broker& broker) { return "--addrs " + broker.url(); }

/// The one JSON document on stdout (fails the test when there is not exactly one).
json stdout_json(const cli_result& r) {
  INFO("stdout: " << r.out);
  REQUIRE(!r.out.empty());
  CHECK(r.out.back() == '\n');
  json parsed = json::parse(r.out, nullptr, false);
  REQUIRE(!parsed.is_discarded());
  return parsed;
}

/// Runs mqttest with `file` (in the workspace) as standard input.
cli_result with_stdin(const workspace& ws, const std::string& file, const std::string& args) {
  return ws.mqttest(args, "sh -c 'exec \"$0\" \"$@\" <" + file + "'");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("pub then sub: exit 0, the step's result JSON on stdout, nothing on stderr") {
  local_broker broker;
  workspace ws;
  cli_result pub = ws.mqttest("pub " + addrs(broker) + " -t s/a -q 1 -r -m '{\"c\": 1}'");
  CHECK(pub.status == 0);
  CHECK(pub.err.empty());
  json published = stdout_json(pub);
  CHECK(published["published"] == 1);
  CHECK(published["error"] == "");
  CHECK(published["err"] == "");
  CHECK(published.contains("timeseconds"));
  CHECK(std::count(pub.out.begin(), pub.out.end(), '\n') == 1);  // compact: one line

  cli_result sub = ws.mqttest("sub " + addrs(broker) + " -t s/a -q 1 -C 1 -W 2000");
  CHECK(sub.status == 0);
  CHECK(sub.err.empty());
  json received = stdout_json(sub);
  CHECK(received["messages"] == json::array({"{\"c\": 1}"}));
  CHECK(received["messagesjson"][0]["c"] == 1);
  CHECK(received["topics"] == json::array({"s/a"}));
  CHECK(received["details"][0]["retained"] == true);
  CHECK(received["details"][0]["qos"] == 1);
  CHECK(received["granted"] == json::array({1}));
  CHECK(received["received"] == 1);
}

TEST_CASE("pub to a dead broker: exit 1, the error in the JSON and on stderr") {
  workspace ws;
  cli_result r = ws.mqttest("pub --addrs tcp://127.0.0.1:1 -t a -m x");
  CHECK(r.status == 1);
  json result = stdout_json(r);
  CHECK(contains(result["error"].get<std::string>(), "connection refused"));
  CHECK(result["published"] == 0);
  CHECK(contains(r.err, "mqttest pub: failed\n  error: connect to tcp://127.0.0.1:1 failed"));
}

TEST_CASE("sub -C 1 -W 2000 with nothing to read: exit 1 after the timeout") {
  local_broker broker;
  workspace ws;
  auto start = std::chrono::steady_clock::now();
  cli_result r = ws.mqttest("sub " + addrs(broker) + " -t quiet/topic -C 1 -W 2000");
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.status == 1);
  CHECK(seconds >= 1.9);
  CHECK(seconds < 4.5);
  json result = stdout_json(r);
  CHECK(result["received"] == 0);
  CHECK(result["error"] == "received 0 of 1 messages on [quiet/topic] within 2000 ms");
  CHECK(contains(r.err, "error: received 0 of 1 messages on [quiet/topic] within 2000 ms"));
}

TEST_CASE("sub with several -t filters and -C 2 collects from each") {
  local_broker broker;
  workspace ws;
  REQUIRE(ws.mqttest("pub " + addrs(broker) + " -r -t m/one -m 1").status == 0);
  REQUIRE(ws.mqttest("pub " + addrs(broker) + " -r -t m/two -m 2").status == 0);
  cli_result r = ws.mqttest("sub " + addrs(broker) + " -t m/one -t m/two -C 2 -W 2000");
  CHECK(r.status == 0);
  json result = stdout_json(r);
  CHECK(result["received"] == 2);
  CHECK(result["granted"] == json::array({0, 0}));
}

TEST_CASE("--assert: pass exits 0, failure exits 1 with expected/actual, bad text exits 2") {
  local_broker broker;
  workspace ws;
  REQUIRE(ws.mqttest("pub " + addrs(broker) + " -r -t as/a -m '{\"c\": 1}'").status == 0);
  std::string sub = "sub " + addrs(broker) + " -t as/a -W 2000 ";

  cli_result pass = ws.mqttest(sub + "--assert 'result.messagesjson.messagesjson0.c ShouldEqual 1'"
                                     " --assert 'result.topics[0] ShouldEqual as/a'");
  CHECK(pass.status == 0);
  CHECK(pass.err.empty());

  cli_result fail = ws.mqttest(sub + "--assert 'result.messagesjson.messagesjson0.c ShouldEqual 1'"
                                     " --assert 'result.messagesjson.messagesjson0.c ShouldEqual 2'");
  CHECK(fail.status == 1);
  CHECK(stdout_json(fail)["received"] == 1);  // the result is printed all the same
  CHECK(fail.err ==
        "mqttest sub: failed\n"
        "  result.messagesjson.messagesjson0.c ShouldEqual 2   [--assert #2]\n"
        "    expected: 2\n"
        "    actual:   1\n");

  cli_result usage = ws.mqttest(sub + "--assert 'result.received ShouldEqul 1'");
  CHECK(usage.status == 2);
  CHECK(usage.out.empty());
  CHECK(contains(usage.err, "mqttest sub: --assert: "));
  CHECK(contains(usage.err, "ShouldEqul"));
  CHECK(contains(usage.err, "did you mean \"ShouldEqual\"?"));
}

TEST_CASE("--assert on result.error makes an expected error a pass, as in suites") {
  workspace ws;
  cli_result r = ws.mqttest(
      "pub --addrs tcp://127.0.0.1:1 -t a -m x --assert 'result.error ShouldContainSubstring refused'");
  CHECK(r.status == 0);
  CHECK(r.err.empty());
}

TEST_CASE("pub payloads from stdin (-s), from a file (-f) and empty (-n), byte for byte") {
  local_broker broker;
  workspace ws;
  ws.write("payload.txt", "line one\nline \"two\"\n");
  CHECK(with_stdin(ws, "payload.txt", "pub " + addrs(broker) + " -r -t in/stdin -s").status == 0);
  CHECK(ws.mqttest("pub " + addrs(broker) + " -r -t in/file -f payload.txt").status == 0);
  CHECK(ws.mqttest("pub " + addrs(broker) + " -t in/empty -n").status == 0);

  for (const char* topic : {"in/stdin", "in/file"}) {
    CAPTURE(topic);
    cli_result r = ws.mqttest("sub " + addrs(broker) + " -t " + topic + " -W 2000");
    CHECK(r.status == 0);
    CHECK(stdout_json(r)["messages"][0] == "line one\nline \"two\"\n");
  }
}

TEST_CASE("--addrs defaults to MQTTEST_ADDRS, then tcp://localhost:1883") {
  local_broker broker;
  workspace ws;
  cli_result from_env = ws.mqttest("pub -t env/a -m x", "MQTTEST_ADDRS=" + broker.url());
  CHECK(from_env.status == 0);
  CHECK(from_env.err.empty());

  cli_result given_wins = ws.mqttest("pub -t env/a -m x " + addrs(broker),
                                     "MQTTEST_ADDRS=tcp://127.0.0.1:1");
  CHECK(given_wins.status == 0);

  // The trace names the URL whether or not a broker listens there.
  cli_result fallback =
      ws.mqttest("pub -t env/a -m x -v --connect-timeout 500", "env -u MQTTEST_ADDRS");
  CHECK(contains(fallback.err, "> CONNECT tcp://localhost:1883"));
}

TEST_CASE("--pretty indents the result JSON") {
  workspace ws;
  cli_result r = ws.mqttest("pub --addrs tcp://127.0.0.1:1 -t a -m x --pretty");
  CHECK(r.status == 1);
  CHECK(r.out.rfind("{\n  \"", 0) == 0);
  CHECK(contains(r.out, "\n  \"published\": 0"));
  CHECK(stdout_json(r)["published"] == 0);
}

TEST_CASE("-v prints the MQTT traffic with timestamps on stderr, stdout stays JSON") {
  local_broker broker;
  workspace ws;
  cli_result r = ws.mqttest("pub " + addrs(broker) + " -t tr/a -q 1 -m x -v");
  CHECK(r.status == 0);
  CHECK(stdout_json(r)["published"] == 1);
  INFO(r.err);
  CHECK(RE2::PartialMatch(r.err, R"((?m)^\d\d:\d\d:\d\d\.\d\d\d > CONNECT )"));
  CHECK(RE2::PartialMatch(r.err, R"((?m)^\d\d:\d\d:\d\d\.\d\d\d > PUBLISH tr/a)"));
}

TEST_CASE("queue --register, pub, sub --persist, queue --release") {
  local_broker broker;
  workspace ws;
  std::string a = addrs(broker);
  CHECK(ws.mqttest("queue " + a + " -i q-1 -t q/a -q 1 --register").status == 0);
  CHECK(ws.mqttest("pub " + a + " -t q/a -q 1 -m queued").status == 0);
  cli_result sub = ws.mqttest("sub " + a + " -i q-1 -t q/a -q 1 --persist -W 2000");
  CHECK(sub.status == 0);
  CHECK(stdout_json(sub)["messages"] == json::array({"queued"}));
  cli_result release = ws.mqttest("queue " + a + " -i q-1 -t q/a --release");
  CHECK(release.status == 0);
  CHECK(stdout_json(release)["error"] == "");
  // Released: nothing is queued for q-1 any more.
  CHECK(ws.mqttest("pub " + a + " -t q/a -q 1 -m lost").status == 0);
  cli_result after = ws.mqttest("sub " + a + " -i q-1 -t q/a -q 1 --persist -W 300");
  CHECK(after.status == 1);
  CHECK(stdout_json(after)["received"] == 0);
}

TEST_CASE("usage errors exit 2 with a clear message and print no JSON") {
  workspace ws;
  ws.write("payload.txt", "x");
  struct usage_case {
    std::string args, message;
  };
  const usage_case cases[] = {
      {"pub -t a -m x -q 3", "--qos: Value 3 not in range 0 to 2"},
      {"pub -m x", "--topic is required"},
      {"pub -t a", "Exactly 1 option from [-m,--message,-f,--file,-s,--stdin-message,"},
      {"pub -t a -m x -f payload.txt", "is required and 2 were given"},
      {"pub -t a -f missing.txt", "mqttest pub: -f missing.txt: cannot read: No such file or directory"},
      {"pub -t a -f .", "mqttest pub: -f .: cannot read: Is a directory"},
      {"pub -t 'a/#' -m x", "mqttest pub: -t: invalid topic \"a/#\""},
      {"pub -t a -m x --addrs nonsense", "mqttest pub: --addrs: \"addrs\" must be a broker URL"},
      {"sub -C 1", "--topic is required"},
      {"sub -t a -W 0", "--timeout"},
      {"sub -t 'a/#/b'", "mqttest sub: -t: invalid topic filter \"a/#/b\""},
      {"queue -t a --register", "--id is required"},
      {"queue -i x -t a", "Exactly 1 option from [--register,--release] is required"},
      {"queue -i x -t a --register --release", "[--register,--release] is required and 2 were given"},
      {"pub -t a -m x --no-such-flag", "--no-such-flag"},
  };
  for (const usage_case& c : cases) {
    CAPTURE(c.args);
    cli_result r = ws.mqttest(c.args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, c.message));
  }
}

TEST_CASE("help <command>, --help of every command, --version") {
  workspace ws;
  cli_result help = ws.mqttest("help pub");
  CHECK(help.status == 0);
  CHECK(help.out.rfind("Publish one message", 0) == 0);
  CHECK(contains(help.out, "Usage: mqttest pub [OPTIONS]"));
  CHECK(contains(help.out, "-t,--topic"));

  cli_result unknown = ws.mqttest("help pbu");
  CHECK(unknown.status == 2);
  CHECK(unknown.err.rfind(
            "mqttest help: unknown command \"pbu\" (did you mean \"pub\"?); commands: run, pub, "
            "sub, queue, help",
            0) == 0);

  CHECK(ws.mqttest("help").status == 0);
  for (const char* command : {"run", "pub", "sub", "queue", "help", "probe", "conformance"}) {
    CAPTURE(command);
    cli_result r = ws.mqttest(std::string(command) + " --help");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "Exit status: 0 "));
    CHECK(contains(r.out, ", 2 usage"));
    CHECK(contains(r.out, "130 interrupted"));
  }
  CHECK(contains(ws.mqttest("--help").out, "Exit status:"));

  cli_result version = ws.mqttest("--version");
  CHECK(version.status == 0);
  CHECK(version.out == "mqttest " MQTTEST_VERSION "\n");
}

TEST_CASE("run -q prints only failures and the summary, -vv adds timestamped traffic") {
  local_broker broker;
  workspace ws;
  ws.write("s.yml", R"(name: quiet suite
testcases:
- name: passes
  steps:
  - {type: mqtt, addrs: "{{.addrs}}", clientType: publisher, messages: [{topic: v/a, payload: x}]}
- name: fails
  steps:
  - {type: mqtt, addrs: "{{.addrs}}", clientType: subscriber, topics: [v/none], timeout: 200}
)");
  std::string var = " --var addrs=" + broker.url();

  cli_result quiet = ws.mqttest("run -q s.yml" + var);
  CHECK(quiet.status == 1);
  INFO(quiet.out);
  CHECK(RE2::FullMatch(quiet.out,
                       R"(FAIL  s\.yml: fails  \(\d+ ms\)\nran 2 test cases in \d+\.\d\d s\n)"
                       R"(1 passed, 1 failed\n)"));

  cli_result traced = ws.mqttest("run -vv s.yml" + var);
  CHECK(traced.status == 1);
  INFO(traced.out);
  CHECK(RE2::PartialMatch(traced.out, R"((?m)^    \d\d:\d\d:\d\d\.\d\d\d > CONNECT )"));
  CHECK(RE2::PartialMatch(traced.out, R"((?m)^    \d\d:\d\d:\d\d\.\d\d\d > SUBSCRIBE v/none)"));
  CHECK(contains(traced.out, "\"published\": 1"));  // -vv includes -v
  // Redirected output: plain lines, no progress line, no escape sequences.
  CHECK(!contains(traced.out, "\r"));
  CHECK(!contains(traced.out, "\x1b"));
  CHECK(ws.mqttest("run -q -v s.yml" + var).status == 2);
}
