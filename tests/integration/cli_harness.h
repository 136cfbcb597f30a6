#pragma once

// Runs the real mqttest binary in a temp dir and captures what it printed.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/source_paths.h"

namespace mqttest::testing {

struct cli_result {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// A temp directory removed on destruction; suites are written into it.
class workspace {
 public:
  workspace() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mqttest-cli-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
  }
  ~workspace() { std::filesystem::remove_all(dir_); }
  workspace(const workspace&) = delete;
  workspace& operator=(const workspace&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

  std::string write(const std::string& name, const std::string& text) const {
    auto path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }

  /// Runs `mqttest <args>` (args are shell words) with the workspace as cwd.
  cli_result mqttest(const std::string& args, const std::string& env = {}) const {
    std::string command = "cd '" + dir_.string() + "' && " + env + " '" + mqttest_binary() + "' " +
                          args + " >.out 2>.err </dev/null";
    return collect(std::system(command.c_str()));
  }

  /// Runs `mqttest <args>` like mqttest(), sends it `sig` after `delay` and waits.
  cli_result mqttest_interrupted(const std::string& args, std::chrono::milliseconds delay,
                                 int sig) const {
    std::string command = "cd '" + dir_.string() + "' && exec '" + mqttest_binary() + "' " + args +
                          " >.out 2>.err </dev/null";
    pid_t child = ::fork();
    if (child == 0) {
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    std::this_thread::sleep_for(delay);
    ::kill(child, sig);
    int raw = 0;
    ::waitpid(child, &raw, 0);
    return collect(raw);
  }

 private:
  /// The exit status of a finished run and what it wrote to .out and .err.
  cli_result collect(int raw) const {
    cli_result result;
    result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    result.out = read_text(dir_ / ".out");
    result.err = read_text(dir_ / ".err");
    std::filesystem::remove(dir_ / ".out");
    std::filesystem::remove(dir_ / ".err");
    return result;
  }

  std::filesystem::path dir_;
};

}  // namespace mqttest::testing
