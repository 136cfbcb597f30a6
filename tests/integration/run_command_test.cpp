// End-to-end: `mqttest run` on suites against a real mosquitto, including a
// regression test for each of Venom's defects (venom-mqtt.md).

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"
#include "tests/integration/refusing_broker.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::workspace;

namespace {

std::string var_addrs(const local_broker& broker) { return "--var addrs=" + broker.url(); }

const char* const round_trip_suite = R"(name: round trip
vars:
  addrs: tcp://127.0.0.1:1
testcases:
- name: publish and receive
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages:
    - {topic: rt/a, payload: '{"c": 1}', retained: true, qos: 1}
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [rt/a]
    timeout: 2000
    assertions:
    - result.messagesjson.messagesjson0.c ShouldEqual 1
    - result.topics.topics0 ShouldEqual rt/a
)";

/// A TCP listener that accepts connections and never answers (a hung broker).
class silent_listener {
 public:
  silent_listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(fd_, 8);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~silent_listener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("run: a suite passes against a real broker, exit 0 and summary line") {
  local_broker broker;
  workspace ws;
  ws.write("rt.yml", round_trip_suite);
  cli_result r = ws.mqttest("run rt.yml " + var_addrs(broker));
  CHECK(r.status == 0);
  CHECK(r.out.find("PASS") != std::string::npos);
  CHECK(r.out.find("publish and receive") != std::string::npos);
  CHECK(r.out.find("\n1 passed, 0 failed\n") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("run: a directory runs every suite in it, sorted, no path means the current dir") {
  local_broker broker;
  workspace ws;
  ws.write("suites/b.yml", round_trip_suite);
  ws.write("suites/sub/a.yaml", round_trip_suite);
  ws.write("suites/notes.txt", "not a suite");
  cli_result r = ws.mqttest("run suites " + var_addrs(broker));
  CHECK(r.status == 0);
  CHECK(r.out.find("2 passed, 0 failed") != std::string::npos);
  CHECK(r.out.find("suites/b.yml") < r.out.find("suites/sub/a.yaml"));
  cli_result here = ws.mqttest("run " + var_addrs(broker));
  CHECK(here.status == 0);
  CHECK(here.out.find("2 passed, 0 failed") != std::string::npos);
}

TEST_CASE("defect 1: a step against a dead broker fails (default assertion)") {
  workspace ws;
  ws.write("dead.yml", R"(name: dead
testcases:
- name: publish to nobody
  steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    messages: [{topic: a, payload: x}]
)");
  cli_result r = ws.mqttest("run dead.yml");
  CHECK(r.status == 1);
  CHECK(r.out.find("FAIL") != std::string::npos);
  CHECK(r.out.find("refused") != std::string::npos);
  CHECK(r.out.find("0 passed, 1 failed") != std::string::npos);
}

TEST_CASE("a step error fails the step even when its assertions ignore result.error") {
  workspace ws;
  ws.write("dead.yml", R"(testcases:
- name: only timing asserted
  steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    messages: [{topic: a, payload: x}]
    assertions:
    - result.timeseconds ShouldBeLessThan 100
)");
  cli_result r = ws.mqttest("run dead.yml");
  CHECK(r.status == 1);
  CHECK(r.out.find("refused") != std::string::npos);
}

TEST_CASE("defect 2 and 9: a receive timeout fails after `timeout` milliseconds, no padding") {
  local_broker broker;
  workspace ws;
  ws.write("timeout.yml", R"(testcases:
- name: nothing arrives
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [quiet/topic]
    messageLimit: 3
    timeout: 300
)");
  auto start = std::chrono::steady_clock::now();
  cli_result r = ws.mqttest("run -v timeout.yml " + var_addrs(broker));
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.status == 1);
  CHECK(r.out.find("received 0 of 3 messages on [quiet/topic] within 300 ms") != std::string::npos);
  CHECK(r.out.find("\"topics\": []") != std::string::npos);
  CHECK(elapsed < 4.0);  // 300 ms, not 300 s
}

TEST_CASE("defect 3: more messages than messageLimit are ignored and counted, never a crash") {
  local_broker broker;
  workspace ws;
  ws.write("extra.yml", R"(testcases:
- name: retained flood
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages:
    - {topic: flood/1, payload: '1', retained: true, qos: 1}
    - {topic: flood/2, payload: '2', retained: true, qos: 1}
    - {topic: flood/3, payload: '3', retained: true, qos: 1}
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: ["flood/#"]
    messageLimit: 1
    assertions:
    - result.error ShouldBeEmpty
    - result.topics.__Len__ ShouldEqual 1
)");
  cli_result r = ws.mqttest("run extra.yml " + var_addrs(broker));
  CHECK(r.status == 0);
  CHECK(r.out.find("1 passed, 0 failed") != std::string::npos);
}

TEST_CASE("defect 4: a broker that never answers CONNECT fails within connectTimeout") {
  silent_listener silent;
  workspace ws;
  ws.write("silent.yml", R"(testcases:
- name: hung broker
  steps:
  - type: mqtt
    addrs: "tcp://127.0.0.1:{{.port}}"
    clientType: subscriber
    topics: [a]
    connectTimeout: 300
    timeout: 10000
)");
  auto start = std::chrono::steady_clock::now();
  cli_result r = ws.mqttest("run silent.yml --var port=" + std::to_string(silent.port()));
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.status == 1);
  CHECK(r.out.find("no CONNACK") != std::string::npos);
  CHECK(r.out.find("within 300 ms") != std::string::npos);
  CHECK(elapsed < 5.0);
}

TEST_CASE("defect 5: a refused subscription (SUBACK 0x80) is a step error naming the topic") {
  workspace ws;
  local_broker broker(mqttest::testing::refusing_secret_topics(ws.dir().string()));
  ws.write("acl.yml", R"(testcases:
- name: forbidden topic
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [secret/x]
    timeout: 2000
)");
  cli_result r = ws.mqttest("run acl.yml " + var_addrs(broker));
  CHECK(r.status == 1);
  CHECK(r.out.find("secret/x") != std::string::npos);
  CHECK(r.out.find("refused") != std::string::npos);
}

TEST_CASE("defect 6: per-message QoS and retain, reported per received message") {
  local_broker broker;
  workspace ws;
  ws.write("qos.yml", R"(testcases:
- name: qos per message
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    qos: 1
    messages:
    - {topic: q/a, payload: a, retained: true}
    - {topic: q/b, payload: b, retained: true, qos: 0}
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [q/a, q/b]
    qos: 2
    messageLimit: 2
    assertions:
    - result.error ShouldBeEmpty
    - result.details.__Len__ ShouldEqual 2
    - result.details[0].retained ShouldBeTrue
    - or:
      - and:
        - result.details[0].topic ShouldEqual q/a
        - result.details[0].qos ShouldEqual 1
        - result.details[1].qos ShouldEqual 0
      - and:
        - result.details[0].topic ShouldEqual q/b
        - result.details[0].qos ShouldEqual 0
        - result.details[1].qos ShouldEqual 1
)");
  cli_result r = ws.mqttest("run qos.yml " + var_addrs(broker));
  CHECK(r.status == 0);
  CHECK(r.out.find("1 passed, 0 failed") != std::string::npos);
}

TEST_CASE("defect 8: scalar JSON stays scalar, non-JSON is null") {
  local_broker broker;
  workspace ws;
  ws.write("scalar.yml", R"(testcases:
- name: payload kinds
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages:
    - {topic: s/1, payload: '42', retained: true, qos: 1}
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [s/1]
    assertions:
    - result.messagesjson.messagesjson0 ShouldEqual 42
    - result.messagesjson.messagesjson0.__Type__ ShouldNotEqual Map
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages:
    - {topic: s/1, payload: 'not json {', retained: true, qos: 1}
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [s/1]
    assertions:
    - result.messagesjson.messagesjson0 ShouldBeNil
    - result.messages.messages0 ShouldEqual "not json {"
)");
  cli_result r = ws.mqttest("run scalar.yml " + var_addrs(broker));
  CHECK(r.status == 0);
  CHECK(r.out.find("1 passed, 0 failed") != std::string::npos);
}

TEST_CASE("defect 10: a misspelt key is a load error with position and did-you-mean, exit 2") {
  workspace ws;
  ws.write("typo.yml", R"(testcases:
- name: typo
  steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    client_id: x
    messages: [{topic: a, payload: x}]
)");
  cli_result r = ws.mqttest("run typo.yml");
  CHECK(r.status == 2);
  CHECK(
      r.err.find("typo.yml:7:5: unknown key \"client_id\" in step (did you mean \"clientId\"?)") !=
      std::string::npos);
  CHECK(r.err.find("    client_id: x\n") != std::string::npos);
  CHECK(r.err.find("    ^") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("defect 12: load errors exit 2, failures report file:line") {
  workspace ws;
  SUBCASE("missing file") {
    cli_result r = ws.mqttest("run nowhere.yml");
    CHECK(r.status == 2);
    CHECK(r.err.find("nowhere.yml") != std::string::npos);
  }
  SUBCASE("YAML syntax error") {
    ws.write("bad.yml", "testcases:\n- name: [unclosed\n");
    cli_result r = ws.mqttest("run bad.yml");
    CHECK(r.status == 2);
    CHECK(r.err.find("bad.yml:") != std::string::npos);
    CHECK(r.err.find("YAML syntax error") != std::string::npos);
  }
  SUBCASE("empty file") {
    ws.write("empty.yml", "# nothing\n");
    cli_result r = ws.mqttest("run empty.yml");
    CHECK(r.status == 2);
    CHECK(r.err.find("empty.yml:1:1: empty suite file") != std::string::npos);
  }
  SUBCASE("bad qos") {
    ws.write("qos.yml", R"(testcases:
- steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:1
    clientType: publisher
    qos: 3
    messages: [{topic: a}]
)");
    cli_result r = ws.mqttest("run qos.yml");
    CHECK(r.status == 2);
    CHECK(r.err.find("qos.yml:6:10: \"qos\" must be 0, 1 or 2, got 3") != std::string::npos);
  }
  SUBCASE("unknown option") {
    cli_result r = ws.mqttest("run --no-such-option");
    CHECK(r.status == 2);
  }
  SUBCASE("a failed assertion names its file and line") {
    local_broker broker;
    ws.write("fail.yml",
             round_trip_suite + std::string("    - result.topics.topics0 ShouldEqual rt/b\n"));
    cli_result r = ws.mqttest("run fail.yml " + var_addrs(broker));
    CHECK(r.status == 1);
    CHECK(r.out.find("fail.yml:20") != std::string::npos);
    CHECK(r.out.find("rt/b") != std::string::npos);
    CHECK(r.out.find("0 passed, 1 failed") != std::string::npos);
  }
}

TEST_CASE("--var keeps YAML types and overrides suite vars") {
  local_broker broker;
  workspace ws;
  ws.write("vars.yml", R"(vars:
  addrs: tcp://127.0.0.1:1
  limit: 5
testcases:
- name: typed var
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages: [{topic: v/1, payload: x, retained: true, qos: 1}]
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [v/1]
    messageLimit: "{{.limit}}"
)");
  cli_result r = ws.mqttest("run vars.yml --var limit=1 " + var_addrs(broker));
  CHECK(r.status == 0);
  cli_result bad = ws.mqttest("run vars.yml --var limit=many " + var_addrs(broker));
  CHECK(bad.status == 1);
  CHECK(bad.out.find("messageLimit") != std::string::npos);
}

TEST_CASE("--stop-on-failure stops after the first failed test case") {
  workspace ws;
  ws.write("stop.yml", R"(testcases:
- name: first fails
  steps:
  - {type: mqtt, addrs: "tcp://127.0.0.1:1", clientType: publisher, messages: [{topic: a}]}
- name: second never runs
  steps:
  - {type: mqtt, addrs: "tcp://127.0.0.1:1", clientType: publisher, messages: [{topic: a}]}
)");
  cli_result all = ws.mqttest("run stop.yml");
  CHECK(all.out.find("0 passed, 2 failed") != std::string::npos);
  cli_result stopped = ws.mqttest("run --stop-on-failure stop.yml");
  CHECK(stopped.status == 1);
  CHECK(stopped.out.find("0 passed, 1 failed") != std::string::npos);
  CHECK(stopped.out.find("second never runs") == std::string::npos);
}

TEST_CASE("JUnit report: written even when tests fail, validates against the XSD") {
  local_broker broker;
  workspace ws;
  ws.write("mixed.yml", round_trip_suite + std::string(R"(- name: broken <&> case
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [never/arrives]
    timeout: 200
)"));
  cli_result r =
      ws.mqttest("run mixed.yml --format junit --output-dir reports " + var_addrs(broker));
  CHECK(r.status == 1);
  auto report = ws.dir() / "reports" / "mqttest-junit.xml";
  REQUIRE(std::filesystem::exists(report));
  std::string xml = mqttest::testing::read_text(report);
  CHECK(xml.find("name=\"publish and receive\"") != std::string::npos);
  CHECK(xml.find("broken &lt;&amp;") != std::string::npos);
  CHECK(xml.find("received 0 of 1 messages on [never/arrives] within 200 ms") != std::string::npos);
  // The copy of ../shared/junit/JUnit.xsd kept in the repository: a clone
  // need not sit beside shared/.
  std::string xsd = mqttest::testing::source_dir() + "/tests/unit/golden/JUnit.xsd";
  REQUIRE(std::filesystem::exists(xsd));
  std::string check =
      "xmllint --noout --schema '" + xsd + "' '" + report.string() + "' 2>/dev/null";
  CHECK(std::system(check.c_str()) == 0);
  // nothing else left behind: only the report in the output dir
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ws.dir() / "reports")) {
    (void)entry;
    ++files;
  }
  CHECK(files == 1);
}

TEST_CASE("--local-broker runs suites against a private broker and stops it") {
  workspace ws;
  ws.write("rt.yml", round_trip_suite);
  cli_result r = ws.mqttest("run --local-broker rt.yml");
  CHECK(r.status == 0);
  CHECK(r.out.find("1 passed, 0 failed") != std::string::npos);
  cli_result missing =
      ws.mqttest("run --local-broker rt.yml", "MQTTEST_MOSQUITTO=/nonexistent/mosquitto");
  CHECK(missing.status == 2);
  CHECK(missing.err.find("mosquitto") != std::string::npos);
}

TEST_CASE("SIGINT: exit 130, the report is still written and the local broker stopped") {
  workspace ws;
  ws.write("long.yml", R"(testcases:
- name: waits long
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [never]
    timeout: 30000
)");
  std::filesystem::create_directory(ws.dir() / "tmp");  // the private broker's data dir goes here
  std::string command =
      "cd '" + ws.dir().string() + "' && TMPDIR='" + (ws.dir() / "tmp").string() +
      "' exec '" + mqttest::testing::mqttest_binary() +
      "' run --local-broker long.yml --format junit --output-dir out >.out 2>.err";
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  kill(child, SIGINT);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(std::filesystem::exists(ws.dir() / "out" / "mqttest-junit.xml"));
  std::string out = mqttest::testing::read_text(ws.dir() / ".out");
  CHECK(out.find("interrupted") != std::string::npos);
  // the broker was stopped and its directory removed
  CHECK(std::filesystem::is_empty(ws.dir() / "tmp"));
}

TEST_CASE("a persistent session survives a broker restart between register and collect") {
  mqttest::broker_options options;
  options.persistence = true;
  local_broker broker(options);
  workspace ws;
  ws.write("register.yml", R"(testcases:
- name: register and publish
  steps:
  - {type: mqtt, addrs: "{{.addrs}}", clientType: persistent_queue, clientId: survivor,
     topics: [keep/me], persistSubscription: true, qos: 1}
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages: [{topic: keep/me, payload: '{"n": 7}', qos: 1}]
)");
  ws.write("collect.yml", R"(testcases:
- name: collect after restart
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    clientId: survivor
    topics: [keep/me]
    persistSubscription: true
    qos: 1
    timeout: 3000
    assertions:
    - result.error ShouldBeEmpty
    - result.messagesjson.messagesjson0.n ShouldEqual 7
  - {type: mqtt, addrs: "{{.addrs}}", clientType: persistent_queue, clientId: survivor,
     topics: [keep/me], persistSubscription: false}
)");
  REQUIRE(ws.mqttest("run register.yml " + var_addrs(broker)).status == 0);
  broker.stop();
  broker.start();
  cli_result r = ws.mqttest("run collect.yml " + var_addrs(broker));
  CHECK(r.status == 0);
  CHECK(r.out.find("1 passed, 0 failed") != std::string::npos);
}

/// Whether a private broker's directory (mqttest-broker-*) is in `dir`.
static bool broker_dir_in(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().rfind("mqttest-broker-", 0) == 0) return true;
  return false;
}

TEST_CASE("a signal during --local-broker start-up: exit 130, reports written, nothing left") {
  workspace ws;
  ws.write("s.yml",
           "testcases:\n- name: c\n  steps:\n  - {type: mqtt, addrs: \"{{.addrs}}\", "
           "clientType: subscriber, topics: [never], timeout: 3000}\n");
  std::filesystem::path tmp = ws.dir() / "tmp";
  for (int sig : {SIGTERM, SIGINT}) {
    std::filesystem::create_directories(tmp);
    std::string command = "cd '" + ws.dir().string() + "' && TMPDIR='" + tmp.string() +
                          "' exec '" + mqttest::testing::mqttest_binary() +
                          "' run --local-broker s.yml --format junit --output-dir out "
                          ">.out 2>.err";
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // The moment the private broker's directory exists, it is starting.
    for (int i = 0; i < 5000 && !broker_dir_in(tmp); ++i)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    ::kill(child, sig);
    int status = 0;
    ::waitpid(child, &status, 0);
    CAPTURE(sig);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK(std::filesystem::exists(ws.dir() / "out" / "mqttest-junit.xml"));
    CHECK_FALSE(broker_dir_in(tmp));  // the broker stopped, its directory removed
    std::filesystem::remove_all(ws.dir() / "out");
  }
}
