// Every --format against a real broker, each file checked by its consumer:
// xmllint (JUnit XSD), prove (TAP), the JSON schema, our YAML reader, and
// headless Chromium (HTML).

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "executor/core/document.h"
#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::read_text;
using mqttest::testing::workspace;
using nlohmann::json;

namespace {

const char* const mixed_suite = R"(name: mixed
vars:
  addrs: tcp://127.0.0.1:1
testcases:
- name: round trip
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages: [{topic: rf/a, payload: '{"temp": 21, "unit": "C"}', retained: true, qos: 1}]
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [rf/a]
    timeout: 2000
    assertions:
    - result.messagesjson.messagesjson0.temp ShouldEqual 21
- name: wrong value
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: [rf/a]
    timeout: 2000
    assertions:
    - result.messagesjson.messagesjson0.temp ShouldEqual 99
)";

/// Runs a shell command in `ws`; returns its exit status, output in `out`.
int shell(const workspace& ws, const std::string& command, std::string& out) {
  std::string full = "cd '" + ws.dir().string() + "' && (" + command + ") >.shell 2>&1";
  int raw = std::system(full.c_str());
  out = read_text(ws.dir() / ".shell");
  std::filesystem::remove(ws.dir() / ".shell");
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

}  // namespace

TEST_CASE("run --format junit,json,tap,yaml,html: every file accepted by its consumer") {
  local_broker broker;
  workspace ws;
  ws.write("mixed.yml", mixed_suite);
  cli_result r = ws.mqttest("run mixed.yml --format junit,json,tap,yaml,html --output-dir reports "
                            "--var addrs=" + broker.url());
  CHECK(r.status == 1);
  CHECK(r.out.find("1 passed, 1 failed") != std::string::npos);  // console still on stdout
  std::string out;

  CHECK_MESSAGE(shell(ws, "xmllint --noout --schema '" + mqttest::testing::source_dir() +
                          "/tests/unit/golden/JUnit.xsd' reports/mqttest-junit.xml", out) == 0, out);

  CHECK(shell(ws, "prove -v -e cat reports/mqttest-report.tap", out) != 0);
  CHECK_MESSAGE(out.find("Failed 1/2 subtests") != std::string::npos, out);

  json report = json::parse(read_text(ws.dir() / "reports/mqttest-report.json"));
  CHECK(report["totals"] == json{{"passed", 1}, {"failed", 1}, {"skipped", 0}, {"total", 2}});
  CHECK(report["suites"][0]["cases"][0]["steps"][1]["result"]["messagesjson"][0]["temp"] == 21);
  auto yaml = mqttest::load_document((ws.dir() / "reports/mqttest-report.yaml").string());
  CHECK(yaml->root == report);
}

TEST_CASE("html report: headless Chromium renders the counts and the failed assertion") {
  REQUIRE_MESSAGE(std::system("command -v chromium >/dev/null 2>&1") == 0,
                  "chromium is missing (Debian package chromium; scripts/setup.sh installs it)");
  local_broker broker;
  workspace ws;
  ws.write("mixed.yml", mixed_suite);
  cli_result r = ws.mqttest("run mixed.yml --format html --var addrs=" + broker.url());
  CHECK(r.status == 1);
  std::string flags =
      "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir=\"$PWD/profile\" ";
  std::string dom;
  REQUIRE(shell(ws, flags + "--dump-dom \"file://$PWD/mqttest-report.html\" 2>/dev/null", dom) == 0);
  CHECK(dom.find("2 tests") != std::string::npos);
  CHECK(dom.find("1 passed") != std::string::npos);
  CHECK(dom.find("1 failed") != std::string::npos);
  CHECK(dom.find("<li class=\"fail\">result.messagesjson.messagesjson0.temp ShouldEqual 99") !=
        std::string::npos);
  CHECK(dom.find("\"temp\": 21") != std::string::npos);
  std::string log;
  CHECK(shell(ws, flags + "--window-size=1200,900 --screenshot=\"$PWD/shot.png\" "
                          "\"file://$PWD/mqttest-report.html\"", log) == 0);
  CHECK(std::filesystem::file_size(ws.dir() / "shot.png") > 10000);
}

TEST_CASE("secrets stay masked in every report format") {
  local_broker broker;
  workspace ws;
  ws.write("secret.yml", R"(name: secret
secrets: [token]
vars:
  addrs: tcp://127.0.0.1:1
  token: s3cr3t-value-42
testcases:
- name: leaks nothing
  steps:
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: publisher
    messages: [{topic: "sec/{{.token}}", payload: "{{.token}}", retained: true, qos: 1}]
  - type: mqtt
    addrs: "{{.addrs}}"
    clientType: subscriber
    topics: ["sec/#"]
    timeout: 2000
    assertions:
    - result.messages.messages0 ShouldEqual "{{.token}}x"
)");
  cli_result r = ws.mqttest("run secret.yml -v --format junit,json,tap,yaml,html --output-dir out "
                            "--var addrs=" + broker.url());
  CHECK(r.status == 1);
  CHECK(r.out.find("s3cr3t-value-42") == std::string::npos);
  for (const char* file : {"mqttest-junit.xml", "mqttest-report.json", "mqttest-report.tap",
                           "mqttest-report.yaml", "mqttest-report.html"}) {
    std::string text = read_text(ws.dir() / "out" / file);
    CHECK_MESSAGE(text.find("s3cr3t-value-42") == std::string::npos, file);
    CHECK_MESSAGE(text.find("****") != std::string::npos, file);
  }
}
