#pragma once

#include <atomic>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/engine/events.h"
#include "executor/engine/report.h"
#include "executor/suite/suite.h"

namespace mqttest {

struct run_options {
  nlohmann::json vars = nlohmann::json::object();  ///< override every suite's vars
  bool stop_on_failure = false;                     ///< stop the run after a failed test case
  int verbosity = 0;  ///< 2 (-vv): steps trace their MQTT traffic as trace events
  const std::atomic<bool>* interrupted = nullptr;   ///< SIGINT/SIGTERM seen: stop, still report
};

/// Runs loaded suites in order, emitting every event of the run to `events`
/// (see executor/engine/events.h; secrets masked, one event at a time), and
/// returns the whole run. Step problems (expansion, bad values, broker errors)
/// become failed steps; nothing here throws for them.
run_report run_suites(const std::vector<suite>& suites, const run_options& options,
                      reporter& events);

}  // namespace mqttest
