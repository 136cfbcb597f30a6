// The `type: mqtt` step against a private mosquitto: publisher, subscriber,
// persistent_queue, and every failure path a broker can cause.

#include "steps/mqtt/mqtt_step.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "steps/mqtt/local_broker.h"
#include "steps/mqtt/paho/paho_runtime.h"
#include "tests/integration/free_port.h"
#include "tests/integration/refusing_broker.h"

namespace {

using json = nlohmann::json;
using mqttest::broker_options;
using mqttest::local_broker;
using clock_type = std::chrono::steady_clock;

mqttest::position nowhere(const json::json_pointer&) { return {}; }

json run_step(const json& fields, const std::atomic<bool>* interrupted = nullptr) {
  mqttest::step_context context;
  context.interrupted = interrupted;
  return mqttest::mqtt_step_kind.make(fields, nowhere)->run(context);
}

json publisher(const local_broker& broker, json messages) {
  return {{"addrs", broker.url()}, {"clientType", "publisher"}, {"messages", std::move(messages)}};
}

json subscriber(const std::string& url, json topics) {
  return {{"addrs", url},
          {"clientType", "subscriber"},
          {"topics", std::move(topics)},
          {"timeout", 2000}};
}

json message(const std::string& topic, const std::string& payload, int qos = 0,
             bool retained = false) {
  return {{"topic", topic}, {"payload", payload}, {"qos", qos}, {"retained", retained}};
}

json queue_step(const local_broker& broker, const std::string& id, json topics, bool keep) {
  return {{"addrs", broker.url()},       {"clientType", "persistent_queue"}, {"clientId", id},
          {"topics", std::move(topics)}, {"persistSubscription", keep},      {"qos", 1}};
}

void require_ok(const json& result) {
  INFO(result.dump());
  REQUIRE(result["error"] == "");
  REQUIRE(result["err"] == "");
}

/// Accepts TCP connections (kernel backlog) and never answers anything.
class silent_listener {
 public:
  silent_listener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    socklen_t size = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~silent_listener() { ::close(fd_); }
  silent_listener(const silent_listener&) = delete;
  silent_listener& operator=(const silent_listener&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

/// A temporary directory removed on destruction.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mqttest-step-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

}  // namespace

TEST_CASE("mqtt step: a retained message round trip, with details") {
  local_broker broker;
  auto published =
      run_step(publisher(broker, json::array({message("rt/a", R"({"c": 1})", 1, true)})));
  require_ok(published);
  CHECK(published["published"] == 1);
  CHECK(published.contains("topics"));
  CHECK_FALSE(published.contains("granted"));

  json fields = subscriber(broker.url(), {"rt/#"});
  fields["qos"] = 1;
  auto received = run_step(fields);
  require_ok(received);
  CHECK(received["topics"] == json::array({"rt/a"}));
  CHECK(received["messages"] == json::array({R"({"c": 1})"}));
  CHECK(received["messagesjson"][0]["c"] == 1);
  CHECK(
      received["details"][0] ==
      json(
          {{"topic", "rt/a"}, {"qos", 1}, {"retained", true}, {"dup", false}, {"payloadSize", 8}}));
  CHECK(received["received"] == 1);
  CHECK(received["ignored"] == 0);
  CHECK(received["granted"] == json::array({1}));
  CHECK(received["timeseconds"].get<double>() > 0.0);
  CHECK(received["timeseconds"].get<double>() < 2.0);
}

TEST_CASE(
    "mqtt step: queued messages arrive in order, beyond messageLimit they are counted, not kept") {
  local_broker broker;
  // One QoS for all: MQTT orders messages per QoS level only (a QoS 2
  // message reaches the client after its PUBREL, later than a QoS 1 one).
  require_ok(run_step(queue_step(broker, "ordered", {"ord/#"}, true)));
  json messages = json::array();
  for (int i = 1; i <= 5; ++i)
    messages.push_back(message(fmt::format("ord/{}", i), std::to_string(i), 1));
  require_ok(run_step(publisher(broker, messages)));

  json fields = subscriber(broker.url(), {"ord/#"});
  fields["clientId"] = "ordered";
  fields["persistSubscription"] = true;
  fields["qos"] = 2;
  fields["messageLimit"] = 3;
  auto received = run_step(fields);
  require_ok(received);
  CHECK(received["topics"] == json::array({"ord/1", "ord/2", "ord/3"}));
  CHECK(received["messagesjson"] == json::array({1, 2, 3}));
  CHECK(received["details"][0]["qos"] == 1);
  CHECK(received["details"][0]["retained"] == false);
  CHECK(received["received"] == 3);
  // All five were queued and sent right after CONNACK, before the SUBACK.
  CHECK(received["ignored"] == 2);
  CHECK(received["granted"] == json::array({2}));
}

TEST_CASE("mqtt step: details carry the QoS a message was delivered with") {
  local_broker broker;
  require_ok(run_step(publisher(broker, json::array({message("q/two", "2", 2, true)}))));
  for (int qos = 0; qos <= 2; ++qos) {
    json fields = subscriber(broker.url(), {"q/two"});
    fields["qos"] = qos;
    auto result = run_step(fields);
    require_ok(result);
    CHECK(result["details"][0]["qos"] == qos);
    CHECK(result["granted"] == json::array({qos}));
  }
}

TEST_CASE("mqtt step: fewer messages than messageLimit is an error, without padding") {
  local_broker broker;
  require_ok(run_step(publisher(broker, json::array({message("few/a", "1", 0, true)}))));
  json fields = subscriber(broker.url(), {"few/#", "other/+"});
  fields["messageLimit"] = 3;
  fields["timeout"] = 200;
  auto start = clock_type::now();
  auto result = run_step(fields);
  CHECK(seconds_since(start) >= 0.2);
  CHECK(seconds_since(start) < 2.0);
  CHECK(result["error"] == "received 1 of 3 messages on [few/#, other/+] within 200 ms");
  CHECK(result["err"] == result["error"]);
  CHECK(result["topics"] == json::array({"few/a"}));
  CHECK(result["messagesjson"] == json::array({1}));
  CHECK(result["received"] == 1);
  CHECK(result["granted"] == json::array({0, 0}));
}

TEST_CASE("mqtt step: messageLimit 0 asserts that nothing arrives within the timeout") {
  local_broker broker;
  json fields = subscriber(broker.url(), {"zero/a"});
  fields["messageLimit"] = 0;
  fields["timeout"] = 1000;  // also bounds the SUBACK wait (slow under TSan)
  require_ok(run_step(fields));
  require_ok(run_step(publisher(broker, json::array({message("zero/a", "x", 0, true)}))));
  auto result = run_step(fields);
  CHECK(result["error"] ==
        "expected no messages on [zero/a] within 1000 ms, received 1 (first: \"zero/a\" (1 bytes))");
  CHECK(result["received"] == 0);
  CHECK(result["ignored"] == 1);
  CHECK(result["topics"] == json::array());
}

TEST_CASE("mqtt step: scalar JSON stays scalar, non-JSON payloads become null") {
  local_broker broker;
  require_ok(run_step(publisher(
      broker,
      json::array({message("p/number", "42", 0, true), message("p/string", R"("x")", 0, true),
                   message("p/text", "not json", 0, true), message("p/list", "[1, 2]", 0, true),
                   message("p/empty", "", 0, false)}))));
  json fields = subscriber(broker.url(), {"p/+"});
  fields["messageLimit"] = 4;
  auto result = run_step(fields);
  require_ok(result);
  std::map<std::string, json> by_topic;
  for (std::size_t i = 0; i < result["topics"].size(); ++i)
    by_topic[result["topics"][i]] = result["messagesjson"][i];
  CHECK(by_topic.size() == 4);
  CHECK(by_topic["p/number"] == 42);
  CHECK(by_topic["p/string"] == "x");
  CHECK(by_topic["p/text"].is_null());
  CHECK(by_topic["p/list"] == json::array({1, 2}));
}

TEST_CASE("mqtt step: a refused port is a clear error, quickly") {
  int port = mqttest::testing::free_port();
  auto start = clock_type::now();
  auto result = run_step(subscriber(fmt::format("tcp://127.0.0.1:{}", port), {"x"}));
  CHECK(seconds_since(start) < 1.0);
  CHECK(result["error"] ==
        fmt::format("connect to tcp://127.0.0.1:{} failed: connection refused", port));
  CHECK(result["err"] == result["error"]);
  CHECK(result["topics"] == json::array());
  CHECK(result["granted"] == json::array());
}

TEST_CASE("mqtt step: a broker that never answers CONNECT fails within connectTimeout") {
  silent_listener silent;
  json fields = subscriber(fmt::format("tcp://127.0.0.1:{}", silent.port()), {"x"});
  fields["connectTimeout"] = 300;
  fields["timeout"] = 5000;
  auto start = clock_type::now();
  auto result = run_step(fields);
  double elapsed = seconds_since(start);
  CHECK(elapsed >= 0.3);
  CHECK(elapsed < 1.5);
  CHECK(result["error"] ==
        fmt::format("no CONNACK from tcp://127.0.0.1:{} within 300 ms", silent.port()));
}

TEST_CASE("mqtt step: a subscription the broker refuses (SUBACK 0x80) is a step error") {
  temp_dir dir;
  local_broker broker(mqttest::testing::refusing_secret_topics(dir.path()));

  SUBCASE("one filter: Paho reports it as a failed subscribe") {
    auto result = run_step(subscriber(broker.url(), {"secret/x"}));
    CHECK(result["error"] == "subscription to \"secret/x\" refused by the broker (SUBACK 0x80)");
    CHECK(result["granted"] == json::array({128}));
  }
  SUBCASE("several filters: the refused one is named, the granted QoS listed") {
    json fields = subscriber(broker.url(), {"open/x", "secret/x"});
    fields["qos"] = 1;
    auto result = run_step(fields);
    CHECK(result["error"] == "subscription to \"secret/x\" refused by the broker (SUBACK 0x80)");
    CHECK(result["granted"] == json::array({1, 128}));
  }
  SUBCASE("granted subscriptions report their QoS") {
    json fields = subscriber(broker.url(), {"open/x"});
    fields["qos"] = 2;
    fields["timeout"] = 300;
    auto result = run_step(fields);
    CHECK(result["granted"] == json::array({2}));
    CHECK(result["error"] == "received 0 of 1 messages on [open/x] within 300 ms");
  }
}

TEST_CASE("mqtt step: persistent_queue keeps a session, then releases it completely") {
  local_broker broker;
  require_ok(run_step(queue_step(broker, "reader-1", {"pq/t"}, true)));
  require_ok(run_step(publisher(broker, json::array({message("pq/t", R"({"n": 1})", 1)}))));

  json read = subscriber(broker.url(), {"pq/t"});
  read["clientId"] = "reader-1";
  read["persistSubscription"] = true;
  read["qos"] = 1;
  auto received = run_step(read);
  require_ok(received);
  CHECK(received["messagesjson"] == json::array({{{"n", 1}}}));
  CHECK(received["details"][0]["qos"] == 1);

  require_ok(run_step(queue_step(broker, "reader-1", {"pq/t"}, false)));
  require_ok(run_step(publisher(broker, json::array({message("pq/t", "lost", 1)}))));
  read["timeout"] = 200;
  auto after = run_step(read);
  CHECK(after["error"] == "received 0 of 1 messages on [pq/t] within 200 ms");
  CHECK(after["messages"] == json::array());
}

TEST_CASE("mqtt step: a persistent session survives a broker restart") {
  broker_options options;
  options.persistence = true;
  local_broker broker(options);
  require_ok(run_step(queue_step(broker, "durable", {"restart/#"}, true)));
  require_ok(run_step(publisher(broker, json::array({message("restart/a", "kept", 1)}))));
  broker.stop();
  broker.start();
  json read = subscriber(broker.url(), {"restart/#"});
  read["clientId"] = "durable";
  read["persistSubscription"] = true;
  read["qos"] = 1;
  auto received = run_step(read);
  require_ok(received);
  CHECK(received["messages"] == json::array({"kept"}));
}

TEST_CASE("mqtt step: an interrupt ends a waiting subscriber") {
  local_broker broker;
  std::atomic<bool> interrupted{false};
  json fields = subscriber(broker.url(), {"never/x"});
  fields["timeout"] = 10000;
  std::thread interrupter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    interrupted = true;
  });
  auto start = clock_type::now();
  auto result = run_step(fields, &interrupted);
  interrupter.join();
  CHECK(seconds_since(start) < 2.0);
  CHECK(result["error"] == "interrupted");
  CHECK(run_step(fields, &interrupted)["error"] == "interrupted");
}

TEST_CASE(
    "mqtt step: sequential steps in one process do not pay Paho's multi-second connect delay") {
  // Without the Paho tuning (steps/mqtt/paho/) this takes seconds (Paho waits
  // ~1 s per connect while another client object is alive, and stops its
  // threads for 100-200 ms when the last one goes); with it, milliseconds.
  // With MQTTEST_PAHO_TUNING=off only the results are checked to be the same.
  local_broker broker;
  auto cwd_entries = [] {
    auto it = std::filesystem::directory_iterator(std::filesystem::current_path());
    return std::distance(begin(it), end(it));
  };
  auto before = cwd_entries();
  auto start = clock_type::now();
  for (int i = 0; i < 4; ++i)
    require_ok(run_step(publisher(broker, json::array({message("fast/x", std::to_string(i), 1)}))));
  CHECK(seconds_since(start) < (mqttest::paho::tuning_off_reason().empty() ? 1.0 : 20.0));
  CHECK(cwd_entries() == before);
}

TEST_CASE("mqtt step: a broker refusing the client (CONNACK 5) is an error naming the client id") {
  broker_options options;
  options.extra_config = "allow_anonymous false\n";
  local_broker broker(options);
  json fields = subscriber(broker.url(), {"x"});
  fields["clientId"] = "who";
  auto result = run_step(fields);
  CHECK(result["error"] ==
        fmt::format("connect to {} as \"who\" refused by the broker: not authorized (CONNACK 5)",
                    broker.url()));
}
