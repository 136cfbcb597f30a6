#include "steps/exec/exec_step.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "executor/core/errors.h"
#include "executor/suite/loader.h"
#include "steps/registry.h"
#include "tests/temp_dir.h"

using namespace mqttest;
using nlohmann::json;

namespace {

/// Runs an exec step as if written in `dir`/suite.yml.
json run_exec(const json& fields, const std::filesystem::path& dir = "/tmp",
              const std::atomic<bool>* interrupted = nullptr) {
  locate_fn locate = [&](const json::json_pointer&) {
    return position{(dir / "suite.yml").string(), 3, 5};
  };
  exec_step_kind.validate(fields, locate);
  step_context context;
  context.interrupted = interrupted;
  return exec_step_kind.make(fields, locate)->run(context);
}

std::string validation_error(const json& fields) {
  try {
    exec_step_kind.validate(fields, [](const json::json_pointer& ptr) {
      return position{"s.yml", 1, static_cast<int>(ptr.to_string().size()) + 1};
    });
  } catch (const config_error& e) {
    return e.what();
  }
  return "<no error>";
}

/// Whether the process is gone (or a zombie waiting for its reaper).
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  return line.find(") Z ") != std::string::npos;
}

pid_t read_pid(const std::filesystem::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

}  // namespace

TEST_CASE("exec: exit code, output with trailing newlines trimmed, JSON output parsed") {
  json ok = run_exec({{"script", "echo '{\"temp\": 21}'; echo oops >&2"}});
  CHECK(ok["code"] == 0);
  CHECK(ok["systemout"] == "{\"temp\": 21}");
  CHECK(ok["systemoutjson"] == json{{"temp", 21}});
  CHECK(ok["systemerr"] == "oops");
  CHECK(ok["systemerrjson"].is_null());
  CHECK(ok["error"] == "");
  CHECK(ok["timeseconds"].get<double>() >= 0);

  json failed = run_exec({{"script", "printf 'a\\nb\\n\\n'\nexit 3"}});
  CHECK(failed["code"] == 3);
  CHECK(failed["systemout"] == "a\nb");
  CHECK(failed["error"] == "");  // a non-zero exit is a result, judged by the assertion
  CHECK(exec_step_kind.default_assertion == "result.code ShouldEqual 0");

  json killed = run_exec({{"script", "kill -9 $$"}});
  CHECK(killed["code"] == 128 + 9);
}

TEST_CASE("exec: stdin is closed, the suite's directory is the working directory, #! is honoured") {
  temp_dir dir;
  CHECK(run_exec({{"script", "cat; echo end"}}, dir.path)["systemout"] == "end");
  CHECK(run_exec({{"script", "pwd"}}, dir.path)["systemout"] == dir.path.string());
  json bash = run_exec({{"script", "#!/bin/bash\necho \"${BASH_VERSINFO[0]}\""}}, dir.path);
  CHECK_FALSE(bash["systemout"].get<std::string>().empty());
  CHECK(bash["code"] == 0);
  json missing = run_exec({{"script", "#!/no/such/shell\necho hi"}}, dir.path);
  CHECK(missing["code"] == 127);
  CHECK(missing["systemerr"] == "mqttest: cannot run the script's interpreter");
}

TEST_CASE("exec: large output on both streams at once does not deadlock and is capped") {
  json big = run_exec({{"script",
                        "head -c 20000000 /dev/zero | tr '\\0' a & "
                        "head -c 3000000 /dev/zero | tr '\\0' b >&2; wait"},
                       {"timeout", 60000}});
  CHECK(big["code"] == 0);
  const std::string& out = big["systemout"].get_ref<const std::string&>();
  const std::string note = "… 3222784 more bytes";  // 20,000,000 - 16 MiB
  CHECK(out.size() == 16 * 1024 * 1024 + note.size());
  CHECK(out.substr(out.size() - note.size()) == note);
  CHECK(big["systemerr"].get<std::string>().size() == 3000000);
}

TEST_CASE("exec: a timeout kills the whole process group, also a child holding the pipe") {
  temp_dir dir;
  auto start = std::chrono::steady_clock::now();
  json slow =
      run_exec({{"script", "sleep 30 & echo $! > bg.pid; sleep 30"}, {"timeout", 300}}, dir.path);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 5);
  CHECK(slow["error"] == "timed out after 300 ms: killed the command and its process group");
  CHECK(slow["code"] == 128 + SIGKILL);
  pid_t background = read_pid(dir.path / "bg.pid");
  REQUIRE(background > 0);
  for (int i = 0; i < 50 && !process_gone(background); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(process_gone(background));

  // The shell exits at once; its background child keeps stdout open.
  json holder = run_exec(
      {{"script", "(sleep 30 & echo $! > holder.pid); echo started"}, {"timeout", 400}}, dir.path);
  CHECK(holder["systemout"] == "started");
  CHECK(holder["code"] == 0);
  CHECK(holder["error"] == "timed out after 400 ms: killed the command and its process group");
  pid_t held = read_pid(dir.path / "holder.pid");
  REQUIRE(held > 0);
  for (int i = 0; i < 50 && !process_gone(held); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(process_gone(held));
}

TEST_CASE("exec: an interrupt (Ctrl-C) kills the command within a fraction of a second") {
  std::atomic<bool> interrupted{false};
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    interrupted = true;
  });
  auto start = std::chrono::steady_clock::now();
  json result = run_exec({{"script", "sleep 30"}}, "/tmp", &interrupted);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ctrl_c.join();
  CHECK(seconds < 1.5);
  CHECK(result["error"] == "interrupted: killed the command and its process group");
}

TEST_CASE("exec: load-time errors name the field") {
  CHECK(validation_error(json::object()) ==
        "s.yml:1:1: exec step needs \"script\": the command to run with sh -c");
  CHECK(validation_error({{"script", 5}}) == "s.yml:1:8: \"script\" must be a string, got 5");
  CHECK(validation_error({{"script", "  \n"}}) == "s.yml:1:8: \"script\" is empty");
  CHECK(validation_error({{"script", "true"}, {"timeout", 0}}) ==
        "s.yml:1:9: \"timeout\" must be an integer number of milliseconds > 0, got 0");
  CHECK(validation_error({{"script", "true"}, {"timeout", "{{.t}}"}}) == "<no error>");
}

TEST_CASE("a step without type is an exec step, without a script it is a clear load error") {
  const step_registry kinds{&exec_step_kind};
  temp_dir dir;
  auto write = [&](const std::string& text) {
    std::ofstream(dir.path / "suite.yml") << text;
    return (dir.path / "suite.yml").string();
  };
  suite s = load_suite(write("testcases:\n- name: c\n  steps:\n  - script: echo hi\n"), kinds);
  REQUIRE(s.cases.at(0).steps.size() == 1);
  CHECK(s.cases[0].steps[0].kind == &exec_step_kind);
  CHECK(s.cases[0].steps[0].type == "exec");
  std::string path =
      write("testcases:\n- name: c\n  steps:\n  - assertions: [result.x ShouldEqual 1]\n");
  try {
    load_suite(path, kinds);
    FAIL("no error");
  } catch (const config_error& e) {
    CHECK(e.message() ==
          "step has no \"type\" and no \"script\" (Venom would run it as an empty exec step that "
          "only evaluates its assertions): give it a type (mqtt, exec or a user executor) or a "
          "script");
    CHECK(e.where().line == 4);
  }
}
