#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/engine/report.h"
#include "executor/suite/suite.h"

namespace mqttest {

struct run_options {
  nlohmann::json vars = nlohmann::json::object();  ///< override every suite's vars
  bool stop_on_failure = false;                     ///< stop the run after a failed test case
  int verbosity = 0;
  const std::atomic<bool>* interrupted = nullptr;   ///< SIGINT/SIGTERM seen: stop, still report
  /// Before each step: test case name, step number (1-based), step title. May be empty.
  std::function<void(const std::string&, int, const std::string&)> step_started;
  /// -vv: MQTT traffic, handed to every step as step_context::trace. May be empty.
  std::function<void(std::string_view)> trace;
};

/// Runs loaded suites in order, feeding every reporter, and returns the whole
/// run. Step problems (expansion, bad values, broker errors) become failed
/// steps; nothing here throws for them.
run_report run_suites(const std::vector<suite>& suites, const run_options& options,
                      const std::vector<reporter*>& reporters);

}  // namespace mqttest
