#include "steps/mqtt/local_broker.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <mqtt/client.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace {

using mqttest::broker_options;
using mqttest::local_broker;
namespace fs = std::filesystem;

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

/// Sets an environment variable for one scope and restores the old value.
class scoped_env {
 public:
  scoped_env(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~scoped_env() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

/// A directory for TMPDIR, so a test can see what the broker left there.
class temp_root {
 public:
  temp_root() {
    std::string pattern = (fs::temp_directory_path() / "mqttest-broker-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~temp_root() { fs::remove_all(path_); }
  temp_root(const temp_root&) = delete;
  temp_root& operator=(const temp_root&) = delete;
  const fs::path& path() const { return path_; }
  bool empty() const { return fs::is_empty(path_); }

 private:
  fs::path path_;
};

mqtt::connect_options session(bool clean) {
  return mqtt::connect_options_builder()
      .mqtt_version(MQTTVERSION_3_1_1)
      .clean_session(clean)
      .connect_timeout(std::chrono::seconds(5))
      .finalize();
}

/// Registers a persistent QoS 1 subscription for `client_id`, then queues one
/// QoS 1 message for it while it is away.
void queue_message_for(const local_broker& broker, const std::string& client_id) {
  {
    mqtt::client subscriber(broker.url(), client_id, mqtt::create_options(MQTTVERSION_3_1_1));
    subscriber.connect(session(false));
    subscriber.subscribe("bench/queue", 1);
    subscriber.disconnect();
  }
  mqtt::client publisher(broker.url(), client_id + "-pub", mqtt::create_options(MQTTVERSION_3_1_1));
  publisher.connect(session(true));
  publisher.publish(mqtt::make_message("bench/queue", R"({"c":1})", 1, false));
  publisher.disconnect();
}

/// What the persistent session of `client_id` receives within a second.
std::string collect_queued(const local_broker& broker, const std::string& client_id) {
  mqtt::client subscriber(broker.url(), client_id, mqtt::create_options(MQTTVERSION_3_1_1));
  subscriber.start_consuming();
  subscriber.connect(session(false));
  mqtt::const_message_ptr msg;
  bool got = subscriber.try_consume_message_for(&msg, std::chrono::seconds(1));
  subscriber.disconnect();
  return got && msg ? msg->to_string() : "";
}

}  // namespace

TEST_CASE("local_broker: starts and accepts TCP connections") {
  local_broker broker;
  CHECK(broker.port() > 0);
  CHECK(broker.url() == "tcp://127.0.0.1:" + std::to_string(broker.port()));
  CHECK(broker.pid() > 0);
  CHECK(process_exists(broker.pid()));
  CHECK(accepts_connections(broker.port()));
  CHECK(fs::is_regular_file(fs::path(broker.directory()) / "mosquitto.conf"));
}

TEST_CASE("local_broker: stop ends the process and frees the port, start reuses the port") {
  local_broker broker;
  const int port = broker.port();
  const pid_t first_pid = broker.pid();

  broker.stop();
  CHECK(broker.pid() == -1);
  CHECK_FALSE(process_exists(first_pid));
  CHECK_FALSE(accepts_connections(port));

  broker.stop();  // idempotent
  CHECK(broker.pid() == -1);

  broker.start();
  CHECK(broker.port() == port);
  CHECK(broker.pid() > 0);
  CHECK(broker.pid() != first_pid);
  CHECK(accepts_connections(port));
}

TEST_CASE("local_broker: two brokers at once get different ports and directories") {
  local_broker a;
  local_broker b;
  CHECK(a.port() != b.port());
  CHECK(a.directory() != b.directory());
  CHECK(accepts_connections(a.port()));
  CHECK(accepts_connections(b.port()));
}

TEST_CASE("local_broker: lives in TMPDIR and its destructor stops it and removes its directory") {
  temp_root root;
  scoped_env tmpdir("TMPDIR", root.path().string());
  pid_t pid = -1;
  int port = 0;
  {
    local_broker broker;
    pid = broker.pid();
    port = broker.port();
    const fs::path dir = broker.directory();
    CHECK(dir.parent_path() == root.path());
    CHECK(dir.filename().string().rfind("mqttest-broker-", 0) == 0);
    CHECK(fs::is_directory(dir));
  }
  CHECK(root.empty());
  CHECK_FALSE(process_exists(pid));
  CHECK_FALSE(accepts_connections(port));
}

TEST_CASE("local_broker: MQTTEST_MOSQUITTO pointing nowhere means mosquitto is not found") {
  temp_root root;
  {
    scoped_env tmpdir("TMPDIR", root.path().string());
    scoped_env exe("MQTTEST_MOSQUITTO", "/nonexistent");
    CHECK(mqttest::find_mosquitto().empty());
    CHECK_THROWS_WITH_AS(local_broker{},
                         "mosquitto not found (install it: apt-get install -y mosquitto)",
                         std::runtime_error);
  }
  CHECK(root.empty());
  CHECK_FALSE(mqttest::find_mosquitto().empty());
}

TEST_CASE("local_broker: a bad extra_config line is reported with mosquitto's complaint") {
  temp_root root;
  scoped_env tmpdir("TMPDIR", root.path().string());
  std::string message;
  try {
    broker_options options;
    options.extra_config = "bogus_option 1\n";
    local_broker broker(options);
    FAIL("mosquitto started with a bad configuration line");
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CHECK(message.rfind("mosquitto did not start on 127.0.0.1:", 0) == 0);
  CHECK(message.find("Error: Unknown configuration variable \"bogus_option\".") !=
        std::string::npos);
  CHECK(message.find("Error found at ") != std::string::npos);
  CHECK(message.find("/mosquitto.conf:") != std::string::npos);
  CHECK(root.empty());
}

TEST_CASE("local_broker: a queued QoS 1 message survives stop/start only with persistence") {
  SUBCASE("persistence on") {
    broker_options options;
    options.persistence = true;
    local_broker broker(options);
    queue_message_for(broker, "lb-persist");
    broker.stop();
    broker.start();
    CHECK(collect_queued(broker, "lb-persist") == R"({"c":1})");
  }
  SUBCASE("persistence off") {
    local_broker broker;
    queue_message_for(broker, "lb-volatile");
    CHECK(collect_queued(broker, "lb-volatile") == R"({"c":1})");
    queue_message_for(broker, "lb-volatile");
    broker.stop();
    broker.start();
    CHECK(collect_queued(broker, "lb-volatile").empty());
  }
}

namespace {

/// Connects (MQTT 3.1.1, clean) to `url` with `options` and disconnects; the
/// error text when it fails, "" when it works.
std::string connect_error(const std::string& url, mqtt::connect_options options) {
  try {
    mqtt::client client(url, "local-broker-test", mqtt::create_options(MQTTVERSION_3_1_1));
    options.set_mqtt_version(MQTTVERSION_3_1_1);
    options.set_connect_timeout(std::chrono::seconds(5));
    client.connect(options);
    client.disconnect();
    return "";
  } catch (const mqtt::exception& e) {
    std::string what = e.what();
    return what.empty() ? "failed" : what;
  }
}

mqtt::connect_options with_tls(const std::string& ca, const std::string& cert = {},
                               const std::string& key = {}) {
  auto ssl = mqtt::ssl_options_builder().trust_store(ca).verify(true);
  if (!cert.empty()) ssl.key_store(cert).private_key(key);
  mqtt::connect_options options;
  options.set_ssl(ssl.finalize());
  return options;
}

broker_options secure_options() {
  broker_options options;
  options.secure_listeners = true;
  return options;
}

}  // namespace

TEST_CASE("local_broker: secure_listeners sets a variable for every listener and file") {
  temp_root root;
  scoped_env tmpdir("TMPDIR", root.path().string());
  local_broker broker(secure_options());
  const auto vars = broker.variables();
  const std::string dir = broker.directory();
  const auto& p = broker.secure();
  CHECK(vars.at("addrs") == broker.url());
  CHECK(vars.at("tls_addrs") == "ssl://localhost:" + std::to_string(p.tls));
  CHECK(vars.at("mtls_addrs") == "ssl://localhost:" + std::to_string(p.mtls));
  CHECK(vars.at("auth_addrs") == "tcp://127.0.0.1:" + std::to_string(p.auth));
  CHECK(vars.at("ws_addrs") == "ws://127.0.0.1:" + std::to_string(p.ws));
  CHECK(vars.at("wss_addrs") == "wss://localhost:" + std::to_string(p.wss));
  CHECK(vars.at("ca_file") == dir + "/ca.crt");
  CHECK(vars.at("cert_file") == dir + "/client.crt");
  CHECK(vars.at("key_file") == dir + "/client.key");
  CHECK(vars.at("username") == "mqttest");
  CHECK(vars.at("password").size() == 24);
  CHECK(vars.size() == 11);
  for (const char* file : {"ca.crt", "client.crt", "client.key", "server.key", "passwd", "acl"})
    CHECK_MESSAGE(fs::is_regular_file(fs::path(dir) / file), file);
  // Keys are for this user only: the temp dir is private.
  CHECK((fs::status(dir).permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
        fs::perms::none);
  // A plain broker has only addrs.
  local_broker plain;
  CHECK(plain.variables().size() == 1);
}

TEST_CASE("local_broker: each secure listener works, and refuses what it should") {
  temp_root root;
  scoped_env tmpdir("TMPDIR", root.path().string());
  local_broker broker(secure_options());
  const auto vars = broker.variables();
  const std::string& ca = vars.at("ca_file");

  SUBCASE("plain TCP takes anonymous clients") {
    CHECK(connect_error(vars.at("addrs"), {}) == "");
  }
  SUBCASE("TLS: the server certificate verifies against the CA; not against no CA") {
    CHECK(connect_error(vars.at("tls_addrs"), with_tls(ca)) == "");
    CHECK(connect_error(vars.at("tls_addrs"), with_tls("/nonexistent-ca.crt")) != "");
  }
  SUBCASE("mutual TLS: the client certificate is required") {
    CHECK(connect_error(vars.at("mtls_addrs"),
                        with_tls(ca, vars.at("cert_file"), vars.at("key_file"))) == "");
    CHECK(connect_error(vars.at("mtls_addrs"), with_tls(ca)) != "");
  }
  SUBCASE("password: refused without credentials or with a wrong password") {
    CHECK(connect_error(vars.at("auth_addrs"), {}) != "");
    mqtt::connect_options wrong;
    wrong.set_user_name(vars.at("username"));
    wrong.set_password("wrong");
    CHECK(connect_error(vars.at("auth_addrs"), wrong) != "");
    mqtt::connect_options right;
    right.set_user_name(vars.at("username"));
    right.set_password(vars.at("password"));
    CHECK(connect_error(vars.at("auth_addrs"), right) == "");
  }
  SUBCASE("WebSockets, plain and over TLS") {
    CHECK(connect_error(vars.at("ws_addrs"), {}) == "");
    CHECK(connect_error(vars.at("wss_addrs"), with_tls(ca)) == "");
  }
}

TEST_CASE("local_broker: secure_listeners leaves nothing behind, keys included") {
  temp_root root;
  scoped_env tmpdir("TMPDIR", root.path().string());
  pid_t pid = -1;
  std::string key;
  {
    local_broker broker(secure_options());
    pid = broker.pid();
    key = broker.variables().at("key_file");
    CHECK(fs::is_regular_file(key));
  }
  CHECK_FALSE(fs::exists(key));
  CHECK(root.empty());
  CHECK_FALSE(process_exists(pid));
}

TEST_CASE("local_broker: secure_listeners without openssl says so and leaves nothing") {
  temp_root root;
  scoped_env tmpdir("TMPDIR", root.path().string());
  // mosquitto found by MQTTEST_MOSQUITTO; openssl and mosquitto_passwd not on PATH.
  scoped_env exe("MQTTEST_MOSQUITTO", mqttest::find_mosquitto());
  scoped_env path("PATH", root.path().string());
  CHECK_THROWS_WITH_AS(local_broker{secure_options()},
                       "openssl not found (install it: apt-get install -y openssl)",
                       std::runtime_error);
  CHECK(root.empty());
}
