// The example suites through the real binary: all of testsuites/examples
// against --local-broker, as the demo runs them, and those in
// testsuites/examples/secure-broker (TLS, password, ACL, WebSockets: ws://
// and wss://) against the broker they need.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>

#include "tests/integration/cli_harness.h"
#include "tests/integration/secure_broker.h"

TEST_CASE("examples: the secure-broker suites pass against TLS, password, ACL, ws and wss") {
  mqttest::testing::secure_broker broker;
  mqttest::testing::workspace ws;
  const std::string dir = "'" + mqttest::testing::source_dir() + "/testsuites/examples/secure-broker'";
  auto valid = ws.mqttest("validate " + dir);
  CHECK_MESSAGE(valid.status == 0, valid.err);
  std::string vars = fmt::format(
      "--var tls_addrs={} --var ca_file={} --var mtls_addrs={} --var cert_file={} "
      "--var key_file={} --var auth_addrs={} --var username=alice --var password=wonderland "
      "--var denied_topic=private/examples --var ws_addrs={} --var wss_addrs={} "
      "--var topic_root=open/examples",
      broker.tls_url("localhost"), broker.file("ca.crt"), broker.mtls_url(),
      broker.file("client.crt"), broker.file("client.key"), broker.tcp_url(), broker.ws_url(),
      broker.wss_url("localhost"));
  auto ran = ws.mqttest("run " + dir + " " + vars);
  INFO(ran.out, ran.err);
  CHECK(ran.status == 0);
  CHECK(ran.out.find("ran 9 test cases") != std::string::npos);
  CHECK(ran.out.find("9 passed, 0 failed\n") != std::string::npos);  // none skipped
}

TEST_CASE("examples: every example suite passes against the private broker, as in the demo") {
  mqttest::testing::workspace ws;
  const std::string dir = "'" + mqttest::testing::source_dir() + "/testsuites/examples'";
  auto valid = ws.mqttest("validate " + dir);
  CHECK_MESSAGE(valid.status == 0, valid.err);
  auto ran = ws.mqttest("run --local-broker " + dir);
  INFO(ran.out, ran.err);
  CHECK(ran.status == 0);
  // Its TLS, password and WebSocket listeners run the secure-broker suites
  // too; one suite_language case is skipped on purpose. examples/contracts/
  // has 7 cases, examples/protocol_depth.yml 6.
  CHECK(ran.out.find("47 passed, 0 failed, 1 skipped\n") != std::string::npos);
}

TEST_CASE("examples: --local-broker --jobs gives each child every listener's variables") {
  mqttest::testing::workspace ws;
  std::filesystem::create_directory(ws.dir() / "tmp");  // the broker's keys go here
  const std::string dir = "'" + mqttest::testing::source_dir() + "/testsuites/examples/secure-broker'";
  auto ran = ws.mqttest("run --local-broker --jobs 3 " + dir,
                        "TMPDIR='" + (ws.dir() / "tmp").string() + "'");
  INFO(ran.out, ran.err);
  CHECK(ran.status == 0);
  CHECK(ran.out.find("9 passed, 0 failed\n") != std::string::npos);  // none skipped
  CHECK(std::filesystem::is_empty(ws.dir() / "tmp"));  // certificates and keys removed
}
