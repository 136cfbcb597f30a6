// Hostile input through the real binary: each of these crashed (exit 134 or
// 139), hung or printed an unclear message before.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::workspace;

namespace {

std::string step_suite(const std::string& addrs, const std::string& extra) {
  return "name: s\ntestcases:\n- name: c\n  steps:\n  - type: mqtt\n    addrs: " + addrs +
         "\n    clientType: subscriber\n    topics: [a]\n" + extra;
}

}  // namespace

TEST_CASE("hostile: a non-UTF-8 byte in qos, timeout or retained is a load error, no abort") {
  workspace ws;
  ws.write("qos.yml", step_suite("tcp://127.0.0.1:1", "    qos: \xff\n"));
  ws.write("timeout.yml", step_suite("tcp://127.0.0.1:1", "    timeout: 1\xfe\n"));
  for (const char* command : {"validate", "run"}) {
    cli_result r = ws.mqttest(std::string(command) + " qos.yml timeout.yml");
    CHECK(r.status == 2);
    CHECK(r.err.find("qos.yml:9:10: value is not valid UTF-8 (byte 0xff at offset 0)") !=
          std::string::npos);
    if (std::string(command) == "validate")
      CHECK(r.err.find("timeout.yml:9:14: value is not valid UTF-8 (byte 0xfe at offset 1)") !=
            std::string::npos);
  }
}

TEST_CASE("hostile: ports outside 1-65535 are load errors, not taken modulo 65536") {
  workspace ws;
  for (std::string port : {"84367", "99999", "0", "-1", "18831junk", "notaport"}) {
    ws.write("p.yml", step_suite("tcp://127.0.0.1:" + port, ""));
    cli_result r = ws.mqttest("validate p.yml");
    CHECK(r.status == 2);
    CHECK(r.err.find("p.yml:6:12: \"addrs\" has a bad port \"" + port +
                     "\" (a number from 1 to 65535), got \"tcp://127.0.0.1:" + port + "\"") !=
          std::string::npos);
  }
  cli_result sub = ws.mqttest("sub --addrs tcp://127.0.0.1:84367 -t a -W 100");
  CHECK(sub.status == 2);
  CHECK(sub.err.find("\"addrs\" has a bad port \"84367\"") != std::string::npos);
}

TEST_CASE("hostile: a port from a template is checked after expansion") {
  workspace ws;
  ws.write("t.yml", "vars:\n  port: 84367\n" + step_suite("tcp://127.0.0.1:{{.port}}", ""));
  CHECK(ws.mqttest("validate t.yml").status == 0);
  cli_result r = ws.mqttest("run t.yml");
  CHECK(r.status == 1);
  CHECK(r.out.find("\"addrs\" has a bad port \"84367\" (a number from 1 to 65535)") !=
        std::string::npos);
}

TEST_CASE("hostile: an unknown command is named, with a guess") {
  workspace ws;
  cli_result r = ws.mqttest("rnu x.yml");
  CHECK(r.status == 2);
  CHECK(r.err ==
        "mqttest: unknown command \"rnu\" (did you mean \"run\"?)\n"
        "Run 'mqttest --help' for the commands.\n");
  CHECK(ws.mqttest("x").err.starts_with("mqttest: unknown command \"x\"\n"));
}

TEST_CASE("hostile: --jobs 0 says what it needs in one line") {
  workspace ws;
  cli_result r = ws.mqttest("run --jobs 0 nothing.yml");
  CHECK(r.status == 2);
  CHECK(r.err == "mqttest: --jobs must be at least 1, got 0\n");
}

TEST_CASE("hostile: a bad limit variable is a usage error") {
  workspace ws;
  cli_result r = ws.mqttest("validate x.yml", "MQTTEST_MAX_SUITE_BYTES=lots");
  CHECK(r.status == 2);
  CHECK(r.err == "mqttest: MQTTEST_MAX_SUITE_BYTES must be a positive integer, got \"lots\"\n");
}

TEST_CASE("hostile: a suite with CR-only line ends loads") {
  workspace ws;
  std::string suite = step_suite("tcp://127.0.0.1:1", "");
  for (char& c : suite)
    if (c == '\n') c = '\r';
  ws.write("mac.yml", suite);
  cli_result r = ws.mqttest("validate mac.yml");
  CHECK(r.err == "");
  CHECK(r.status == 0);
}

TEST_CASE("hostile: devices, FIFOs and oversized files are refused at once") {
  workspace ws;
  cli_result zero = ws.mqttest("validate /dev/zero");
  CHECK(zero.status == 2);
  CHECK(zero.err.find("/dev/zero: cannot read file: a device, not a regular file") !=
        std::string::npos);
  ws.write("big.yml", step_suite("tcp://127.0.0.1:1", ""));
  cli_result big = ws.mqttest("validate big.yml", "MQTTEST_MAX_SUITE_BYTES=64");
  CHECK(big.status == 2);
  CHECK(big.err.find("big.yml: file is larger than the 64-bytes limit (set "
                     "MQTTEST_MAX_SUITE_BYTES to raise it)") != std::string::npos);
}

TEST_CASE("hostile: mutually recursive vars are named as a cycle before anything runs") {
  workspace ws;
  ws.write("cycle.yml",
           "vars:\n  a: '{{.b}}'\n  b: '{{.a}}'\n" + step_suite("tcp://127.0.0.1:1", ""));
  cli_result r = ws.mqttest("run cycle.yml");
  CHECK(r.status == 2);
  CHECK(r.err.find("cycle.yml: vars a -> b -> a form a cycle") != std::string::npos);
}

TEST_CASE("hostile: doubling templates stop at the size limit within seconds") {
  workspace ws;
  std::string vars = "vars:\n  v00: x\n";
  for (int i = 1; i < 40; ++i)
    vars += fmt::format("  v{:02}: '{{{{.v{:02}}}}}{{{{.v{:02}}}}}'\n", i, i - 1, i - 1);
  ws.write("double.yml", vars + step_suite("tcp://127.0.0.1:1", ""));
  cli_result r = ws.mqttest("run double.yml");
  CHECK(r.status == 2);
  CHECK(r.err.find("double.yml: vars.v25: template output is larger than the 16777216-bytes "
                   "limit (set MQTTEST_MAX_TEMPLATE_BYTES to raise it)") != std::string::npos);
}

TEST_CASE("hostile: an unwritable --output-dir is exit 2 before anything runs") {
  workspace ws;
  ws.write("file", "not a directory");
  ws.write("s.yml", step_suite("tcp://127.0.0.1:1", ""));
  cli_result r = ws.mqttest("run s.yml --format junit --output-dir file/reports");
  CHECK(r.status == 2);
  CHECK(r.out == "");
  CHECK(r.err == "mqttest: --output-dir \"file/reports\": cannot write there: Not a directory\n");
}

TEST_CASE("hostile: a payload 100,000 deep from the broker stays a string" * doctest::timeout(60)) {
  local_broker broker;
  workspace ws;
  std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  ws.write("deep.json", deep);
  REQUIRE(ws.mqttest("pub --addrs " + broker.url() + " -r -q 1 -t deep -f deep.json").status == 0);
  cli_result r = ws.mqttest("sub --addrs " + broker.url() + " -t deep -W 3000");
  CHECK(r.status == 0);
  nlohmann::json result = nlohmann::json::parse(r.out);
  CHECK(result["messages"][0] == deep);
  CHECK(result["messagesjson"][0].is_null());
  CHECK(result["details"][0]["decodeError"] ==
        "payload nested deeper than the 512-levels limit (set MQTTEST_MAX_PAYLOAD_DEPTH to raise "
        "it); not decoded");
}

TEST_CASE("hostile: a report that cannot be written after the run is exit 1, the others written") {
  // The directory passes the check before the run; the step then puts a
  // directory where the JSON report goes, so only writing it fails.
  workspace ws;
  ws.write("s.yml",
           "name: s\ntestcases:\n- name: c\n  steps:\n"
           "  - type: exec\n    script: mkdir -p out/mqttest-report.json\n");
  cli_result r = ws.mqttest("run s.yml --format json,junit --output-dir out");
  CHECK(r.status == 1);
  CHECK(r.out.find("1 passed") != std::string::npos);
  CHECK(r.err.find("mqttest: report not written: cannot write out/mqttest-report.json: Is a "
                   "directory\n") != std::string::npos);
  CHECK(std::filesystem::is_regular_file(ws.dir() / "out/mqttest-junit.xml"));
}

TEST_CASE("hostile: reports of a deeply nested payload stay small" * doctest::timeout(120)) {
  local_broker broker;
  workspace ws;
  // 10 KB nested 5,000 deep (beyond the decoding limit: it stays a string),
  // and 4 KB nested 2,000 deep decoded with a raised limit: shown whole, it
  // would take megabytes in every report (indentation grows with depth).
  std::string deep = std::string(5'000, '[') + std::string(5'000, ']');
  std::string decoded = std::string(2'000, '[') + std::string(2'000, ']');
  ws.write("deep.json", deep);
  ws.write("decoded.json", decoded);
  REQUIRE(ws.mqttest("pub --addrs " + broker.url() + " -r -q 1 -t deep -f deep.json").status == 0);
  REQUIRE(
      ws.mqttest("pub --addrs " + broker.url() + " -r -q 1 -t decoded -f decoded.json").status ==
      0);
  ws.write("s.yml",
           "name: s\ntestcases:\n- name: c\n  steps:\n  - type: mqtt\n    addrs: " + broker.url() +
               "\n    clientType: subscriber\n    topics: [deep, decoded]\n"
               "    messageLimit: 2\n    timeout: 5000\n"
               "    assertions:\n    - result.messagesjson.__Len__ ShouldEqual 2\n");
  cli_result r = ws.mqttest("run s.yml -v --format json,yaml,html,junit,tap --output-dir out",
                            "MQTTEST_MAX_PAYLOAD_DEPTH=2000");
  CHECK(r.status == 0);
  INFO(r.err);
  CHECK(r.out.size() < 64 * 1024);
  for (const char* file : {"mqttest-report.json", "mqttest-report.yaml", "mqttest-report.html",
                           "mqttest-junit.xml", "mqttest-report.tap"}) {
    CAPTURE(file);
    CHECK(std::filesystem::file_size(ws.dir() / "out" / file) < 64 * 1024);
  }
  // The JSON report shows the 2,000-deep message as its compact text (4 KB),
  // not indented (megabytes); the 5,000-deep one was not decoded.
  auto shown_of = [&] {
    nlohmann::json report =
        nlohmann::json::parse(mqttest::testing::read_text(ws.dir() / "out/mqttest-report.json"));
    return report["suites"][0]["cases"][0]["steps"][0]["result"];
  };
  nlohmann::json result = shown_of();
  REQUIRE(result["messages"].size() == 2);
  int at = result["messagesjson"][0].is_string() ? 0 : 1;
  CHECK(result["messagesjson"][at] == decoded);
  CHECK(result["messagesjson"][1 - at].is_null());
  // With a lower limit both messages are cut, saying how much is left.
  r = ws.mqttest("run s.yml --format json --output-dir out",
                 "MQTTEST_MAX_PAYLOAD_DEPTH=2000 MQTTEST_MAX_SHOWN_MESSAGE_BYTES=1000");
  CHECK(r.status == 0);
  result = shown_of();
  at = result["messagesjson"][0].is_string() ? 0 : 1;
  for (const nlohmann::json& message :
       {result["messages"][0], result["messages"][1], result["messagesjson"][at]}) {
    std::string text = message.get<std::string>();
    CHECK(text.size() <= 1000);
    CHECK(text.find("\xE2\x80\xA6 ") != std::string::npos);  // "… N more bytes"
    CHECK(text.ends_with(" more bytes"));
  }
}
