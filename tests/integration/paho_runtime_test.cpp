// steps/mqtt/paho/ fenced in: the kill switch and the self-test as the real
// binary reports them under -v, the socket() hook on Paho's threads only, and
// `disconnect: abrupt` through the step's own relay (tcp, ssl, ws; with a
// second client of the same step connecting at the same time).

#include "steps/mqtt/paho/paho_runtime.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "steps/mqtt/local_broker.h"
#include "steps/mqtt/mqtt_step.h"
#include "tests/integration/cli_harness.h"
#include "tests/integration/secure_broker.h"

namespace {

using json = nlohmann::json;
using mqttest::local_broker;
using mqttest::testing::secure_broker;
using mqttest::testing::workspace;

constexpr const char* kOffNotice =
    "mqttest: Paho tuning off: MQTTEST_PAHO_TUNING=off. Results are the same; a connect may take "
    "1-2 s.\n";

mqttest::position nowhere(const json::json_pointer&) { return {}; }

json run_step(const json& fields) {
  mqttest::step_context context;
  return mqttest::mqtt_step_kind.make(fields, nowhere)->run(context);
}

struct socket_facts {
  bool nodelay = false;
  int fd = -1;
  int lowest_free = -1;  ///< what the kernel hands out next
};

/// A TCP socket made by the calling thread.
socket_facts make_socket() {
  socket_facts facts;
  facts.lowest_free = ::dup(0);
  ::close(facts.lowest_free);
  facts.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int value = 0;
  socklen_t size = sizeof value;
  ::getsockopt(facts.fd, IPPROTO_TCP, TCP_NODELAY, &value, &size);
  facts.nodelay = value != 0;
  ::close(facts.fd);
  return facts;
}

}  // namespace

TEST_CASE("paho tuning: pub -v says nothing when the self-test passes, names the kill switch") {
  local_broker broker;
  workspace ws;
  std::string pub = "pub -v --addrs " + broker.url() + " -t t/x -m hi";
  auto tuned = ws.mqttest(pub, "MQTTEST_PAHO_TUNING=on");
  CHECK(tuned.status == 0);
  CHECK(tuned.err.find("Paho tuning") == std::string::npos);
  auto off = ws.mqttest(pub, "MQTTEST_PAHO_TUNING=off");
  CHECK(off.status == 0);
  CHECK(off.err.find(kOffNotice) != std::string::npos);
  auto quiet =
      ws.mqttest("pub --addrs " + broker.url() + " -t t/x -m hi", "MQTTEST_PAHO_TUNING=off");
  CHECK(quiet.status == 0);
  CHECK(quiet.err.empty());
  auto typo = ws.mqttest(pub, "MQTTEST_PAHO_TUNING=of");
  CHECK(typo.status == 0);
  CHECK(typo.err.find("mqttest: Paho tuning off: MQTTEST_PAHO_TUNING=\"of\" is neither on nor "
                      "off.") != std::string::npos);
}

TEST_CASE("paho tuning: run -v says so once when it is off") {
  local_broker broker;
  workspace ws;
  ws.write("s.yml", fmt::format(R"(name: s
testcases:
- name: two steps
  steps:
  - {{type: mqtt, addrs: "{0}", clientType: publisher, messages: [{{topic: t/a, payload: x}}]}}
  - {{type: mqtt, addrs: "{0}", clientType: publisher, messages: [{{topic: t/b, payload: y}}]}}
)",
                                broker.url()));
  auto off = ws.mqttest("run -v s.yml", "MQTTEST_PAHO_TUNING=off");
  INFO(off.out, off.err);
  CHECK(off.status == 0);
  auto first = off.err.find(kOffNotice);
  CHECK(first != std::string::npos);
  CHECK(off.err.find(kOffNotice, first + 1) == std::string::npos);
  auto tuned = ws.mqttest("run -v s.yml", "MQTTEST_PAHO_TUNING=on");
  CHECK(tuned.status == 0);
  CHECK(tuned.err.find("Paho tuning") == std::string::npos);
}

TEST_CASE("paho tuning: socket() leaves other threads' sockets alone") {
  local_broker broker;
  // A step first: Paho is initialised and its threads run.
  REQUIRE(run_step({{"addrs", broker.url()},
                    {"clientType", "publisher"},
                    {"messages", json::array({{{"topic", "t/s"}, {"payload", "x"}}})}})["error"] ==
          "");
  socket_facts mine = make_socket();
  CHECK_FALSE(mine.nodelay);
  CHECK(mine.fd == mine.lowest_free);
  // A thread with a Paho thread's name gets the tuning when it is on.
  socket_facts named;
  std::thread paho_like([&] {
    prctl(PR_SET_NAME, "MQTTAsync_test");
    named = make_socket();
  });
  paho_like.join();
  bool tuned = mqttest::paho::tuning_off_reason().empty();
  CHECK(named.nodelay == tuned);
  CHECK((named.fd >= 16) == tuned);
}

TEST_CASE("disconnect abrupt: the step's own connection dies, also with publish: (tcp, ssl, ws)") {
  secure_broker broker(true);
  json tls = {{"caFile", broker.file("ca.crt")}};
  int round = 0;
  for (std::string url : {broker.tcp_url(), broker.tls_url("localhost"), broker.ws_url()}) {
    CAPTURE(url);
    std::string will_topic = fmt::format("will/gone/{}", round++);
    // A subscriber whose request client connects at the same time as it does.
    json step = {
        {"addrs", url},
        {"clientType", "subscriber"},
        {"clientId", "abrupt-holder"},
        {"topics", json::array({"will/req"})},
        {"publish", json::array({{{"topic", "will/req"}, {"payload", "ping"}}})},
        {"timeout", 3000},
        {"disconnect", "abrupt"},
        {"will", {{"topic", will_topic}, {"payload", url}, {"qos", 1}, {"retained", true}}}};
    if (url.rfind("ssl", 0) == 0) step["tls"] = tls;
    json result = run_step(step);
    INFO(result.dump());
    REQUIRE(result["error"] == "");
    CHECK(result["messages"] == json::array({"ping"}));
    json read = {{"addrs", broker.tcp_url()},
                 {"clientType", "subscriber"},
                 {"topics", json::array({will_topic})},
                 {"timeout", 3000}};
    json will = run_step(read);
    INFO(will.dump());
    REQUIRE(will["error"] == "");
    CHECK(will["messages"] == json::array({url}));
  }
}

TEST_CASE("disconnect abrupt: through the relay TLS still verifies the broker's host name") {
  secure_broker broker(true);
  json step = {{"addrs", broker.misnamed_tls_url()},
               {"clientType", "publisher"},
               {"messages", json::array({{{"topic", "open/x"}}})},
               {"disconnect", "abrupt"},
               {"connectTimeout", 3000},
               {"tls", {{"caFile", broker.file("ca.crt")}}}};
  json result = run_step(step);
  CHECK(result["error"] ==
        fmt::format("connect to {} failed: TLS host name verification failed: the server "
                    "certificate is for DNS:elsewhere.example, not \"127.0.0.1\"",
                    broker.misnamed_tls_url()));
}
