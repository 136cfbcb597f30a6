// `mqttest run --jobs N` (one process per suite file, output kept whole per
// suite, reports merged) and `--shard K/N` (every suite exactly once).

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <re2/re2.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/cli_harness.h"

using mqttest::local_broker;
using mqttest::testing::cli_result;
using mqttest::testing::read_text;
using mqttest::testing::workspace;
using nlohmann::json;

namespace {

/// Suite `n`: a passing round trip and, for odd n, a failing assertion.
std::string suite_text(int n) {
  return fmt::format(R"(name: suite {0}
vars:
  addrs: tcp://127.0.0.1:1
testcases:
- name: s{0} first
  steps:
  - type: mqtt
    addrs: "{{{{.addrs}}}}"
    clientType: publisher
    messages: [{{topic: par/{0}, payload: '{{"n": {0}}}', retained: true, qos: 1}}]
- name: s{0} second
  steps:
  - type: mqtt
    addrs: "{{{{.addrs}}}}"
    clientType: subscriber
    topics: [par/{0}]
    timeout: 2000
    assertions:
    - result.messagesjson.messagesjson0.n ShouldEqual {1}
)",
                     n, n % 2 == 1 ? n + 100 : n);
}

void write_suites(const workspace& ws, int count) {
  for (int n = 1; n <= count; ++n) ws.write(fmt::format("suites/s{}.yml", n), suite_text(n));
}

/// suite name -> [(case, status)...], from a JSON report.
std::map<std::string, std::vector<std::pair<std::string, std::string>>> outcomes(const json& run) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
  for (const json& suite : run["suites"])
    for (const json& c : suite["cases"])
      out[suite["name"]].emplace_back(c["name"], c["status"]);
  return out;
}

/// Times, dates and host names out of a report or console output.
std::string blank_times(std::string text) {
  RE2::GlobalReplace(&text, R"re("(\w*seconds|started_at)": [^,\n]+)re", R"("\1": X)");
  RE2::GlobalReplace(&text, R"re((time|timestamp|hostname)="[^"]*")re", R"(\1="X")");
  RE2::GlobalReplace(&text, R"(\(\d+(\.\d+)? m?s\))", "(T)");
  RE2::GlobalReplace(&text, R"(in \d+\.\d\d s)", "in T s");
  return text;
}

/// A long-running `mqttest <args>` in `ws`, started in the background.
pid_t start_mqttest(const workspace& ws, const std::string& args) {
  std::string command = "cd '" + ws.dir().string() + "' && exec '" + mqttest::testing::mqttest_binary() + "' " + args +
                        " >.out 2>.err </dev/null";
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

/// The child process of `parent` whose command line mentions `word`; -1 if none (yet).
pid_t child_running(pid_t parent, const std::string& word) {
  std::ifstream children(fmt::format("/proc/{}/task/{}/children", parent, parent));
  pid_t pid = 0;
  while (children >> pid) {
    std::ifstream cmdline(fmt::format("/proc/{}/cmdline", pid));
    std::stringstream text;
    text << cmdline.rdbuf();
    if (text.str().find(word) != std::string::npos) return pid;
  }
  return -1;
}

int wait_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char* waiting_suite = R"(name: waiting
testcases:
- name: quick
  steps:
  - {type: mqtt, addrs: "{{.addrs}}", clientType: publisher, messages: [{topic: w, payload: x}]}
- name: waits long
  steps:
  - {type: mqtt, addrs: "{{.addrs}}", clientType: subscriber, topics: [never], timeout: 30000}
)";

}  // namespace

TEST_CASE("run --jobs 2: the same reports and console lines as a serial run") {
  local_broker broker;
  workspace ws;
  write_suites(ws, 4);
  std::string args = "run suites --format json,junit --var addrs=" + broker.url();
  cli_result serial = ws.mqttest(args + " --output-dir serial");
  cli_result parallel = ws.mqttest(args + " --jobs 2 --output-dir par");
  CHECK(parallel.status == serial.status);
  CHECK(blank_times(parallel.out) == blank_times(serial.out));
  CHECK(parallel.out.find("\nsuite 2 (suites/s2.yml)\n") != std::string::npos);
  CHECK(blank_times(read_text(ws.dir() / "par/mqttest-report.json")) ==
        blank_times(read_text(ws.dir() / "serial/mqttest-report.json")));
  CHECK(blank_times(read_text(ws.dir() / "par/mqttest-junit.xml")) ==
        blank_times(read_text(ws.dir() / "serial/mqttest-junit.xml")));
  // -v: step results too; -q: failures and the summary only.
  for (std::string flag : {"-v", "-q"}) {
    CAPTURE(flag);
    std::string quiet_args = "run suites " + flag + " --var addrs=" + broker.url();
    CHECK(blank_times(ws.mqttest(quiet_args + " --jobs 3").out) ==
          blank_times(ws.mqttest(quiet_args).out));
  }
}

TEST_CASE("run --jobs: a child that dies mid-suite yields a failed test case saying so") {
  local_broker broker;
  workspace ws;
  ws.write("a.yml", waiting_suite);
  write_suites(ws, 1);
  pid_t parent = start_mqttest(
      ws, "run a.yml suites/s1.yml --jobs 2 --format json --var addrs=" + broker.url());
  pid_t victim = -1;
  for (int i = 0; i < 100 && victim < 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    victim = child_running(parent, "a.yml");
  }
  REQUIRE(victim > 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // into "waits long" (30 s)
  kill(victim, SIGKILL);
  CHECK(wait_status(parent) == 1);
  json report = json::parse(read_text(ws.dir() / "mqttest-report.json"));
  const json& cases = report["suites"][0]["cases"];
  INFO(report.dump(2));
  REQUIRE(cases.size() == 2);
  CHECK(cases[0]["status"] == "passed");
  CHECK(cases[1]["name"] == "waits long");
  CHECK(cases[1]["status"] == "failed");
  CHECK(cases[1]["steps"].back()["error"] ==
        "the run of a.yml ended with signal 9 before this test case finished");
  CHECK(report["suites"][1]["file"] == "suites/s1.yml");
  std::string out = read_text(ws.dir() / ".out");
  CHECK(out.find("  FAIL  waits long  (") != std::string::npos);
  CHECK(out.find("ended with signal 9 before this test case finished") != std::string::npos);
}

TEST_CASE("run --jobs: on SIGINT the children stop and what they reported is in the reports") {
  local_broker broker;
  workspace ws;
  ws.write("a.yml", waiting_suite);
  ws.write("b.yml", std::string(waiting_suite).replace(6, 7, "waiting b"));
  pid_t parent =
      start_mqttest(ws, "run a.yml b.yml --jobs 2 --format json,junit --var addrs=" + broker.url());
  for (int i = 0;
       i < 100 && (child_running(parent, "a.yml") < 0 || child_running(parent, "b.yml") < 0); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  kill(parent, SIGINT);
  CHECK(wait_status(parent) == 130);
  json report = json::parse(read_text(ws.dir() / "mqttest-report.json"));
  CHECK(report["interrupted"] == true);
  REQUIRE(report["suites"].size() == 2);
  for (const json& suite : report["suites"]) {
    CAPTURE(suite["name"]);
    REQUIRE(suite["cases"].size() == 2);
    CHECK(suite["cases"][0]["status"] == "passed");
    CHECK(suite["cases"][1]["status"] == "failed");
  }
  CHECK(std::filesystem::exists(ws.dir() / "mqttest-junit.xml"));
  std::string out = read_text(ws.dir() / ".out");
  CHECK(out.find("waiting b (b.yml)") != std::string::npos);
  CHECK(out.find("2 passed, 2 failed (interrupted)") != std::string::npos);
}

TEST_CASE("run --jobs: same results as a serial run, each suite's output in one piece") {
  local_broker broker;
  workspace ws;
  write_suites(ws, 5);
  std::string addrs = "--var addrs=" + broker.url();
  cli_result serial = ws.mqttest("run suites --format json,junit --output-dir serial " + addrs);
  cli_result parallel = ws.mqttest("run suites --jobs 3 --format json,junit --output-dir par " + addrs);
  CHECK(serial.status == 1);
  CHECK(parallel.status == 1);
  json serial_report = json::parse(read_text(ws.dir() / "serial/mqttest-report.json"));
  json parallel_report = json::parse(read_text(ws.dir() / "par/mqttest-report.json"));
  CHECK(outcomes(parallel_report) == outcomes(serial_report));
  CHECK(parallel_report["totals"] == json{{"passed", 7}, {"failed", 3}, {"skipped", 0}, {"total", 10}});
  // The merged report keeps the order of the suite files.
  for (int n = 1; n <= 5; ++n)
    CHECK(parallel_report["suites"][n - 1]["file"] == fmt::format("suites/s{}.yml", n));
  CHECK(read_text(ws.dir() / "par/mqttest-junit.xml").find("<testsuite name=\"suite 5\"") !=
        std::string::npos);

  // Every case of a suite is printed, and no other suite's line comes between.
  for (int n = 1; n <= 5; ++n) {
    auto first = parallel.out.find(fmt::format("s{} first", n));
    auto second = parallel.out.find(fmt::format("s{} second", n));
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    std::string between = parallel.out.substr(first, second - first);
    for (int other = 1; other <= 5; ++other)
      if (other != n) CHECK(between.find(fmt::format("s{} ", other)) == std::string::npos);
  }
  CHECK(parallel.out.find("7 passed, 3 failed") != std::string::npos);
  CHECK(parallel.err.empty());
}

TEST_CASE("run --jobs: a load error stops everything before anything runs (exit 2)") {
  workspace ws;
  write_suites(ws, 2);
  ws.write("suites/s3.yml", "testcases:\n- steps:\n  - type: mqtt\n    adrs: x\n");
  cli_result r = ws.mqttest("run suites --jobs 2");
  CHECK(r.status == 2);
  CHECK(r.err.find("suites/s3.yml:4:5: unknown key \"adrs\" in step (did you mean \"addrs\"?)") !=
        std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("run --shard K/N: every suite file runs exactly once across the shards") {
  local_broker broker;
  workspace ws;
  write_suites(ws, 5);
  std::multiset<std::string> files;
  for (int k = 1; k <= 3; ++k) {
    cli_result r = ws.mqttest(fmt::format("run suites --shard {}/3 --format json --output-dir "
                                          "shard{} --var addrs={}",
                                          k, k, broker.url()));
    CHECK(r.status <= 1);
    json report = json::parse(read_text(ws.dir() / fmt::format("shard{}/mqttest-report.json", k)));
    CHECK(report["suites"].size() == (k <= 2 ? 2u : 1u));
    for (const json& suite : report["suites"]) files.insert(suite["file"].get<std::string>());
  }
  std::multiset<std::string> all;
  for (int n = 1; n <= 5; ++n) all.insert(fmt::format("suites/s{}.yml", n));
  CHECK(files == all);
  // Stable: the same shard picks the same files.
  cli_result again = ws.mqttest("run suites --shard 1/3 --format json --output-dir again --var addrs=" +
                                broker.url());
  json report = json::parse(read_text(ws.dir() / "again/mqttest-report.json"));
  CHECK(report["suites"][0]["file"] == "suites/s1.yml");
  CHECK(report["suites"][1]["file"] == "suites/s4.yml");
}

TEST_CASE("run --shard and --jobs: malformed values are usage errors") {
  workspace ws;
  write_suites(ws, 1);
  cli_result r = ws.mqttest("run suites --shard 4/3");
  CHECK(r.status == 2);
  CHECK(r.err == "mqttest: --shard needs K/N with 1 <= K <= N (e.g. 2/4), got \"4/3\"\n");
  CHECK(ws.mqttest("run suites --shard x").status == 2);
  CHECK(ws.mqttest("run suites --jobs 0").status == 2);
}
