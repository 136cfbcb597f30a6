#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/connection_flags.h"

namespace mqttest {

struct run_report;  // executor/engine/report.h

struct conformance_command_options {
  connection_flags connection;
  std::string protocol;  ///< "", "3.1.1" or "5": run only that version's checks
  std::string kit;       ///< --kit: the suites; default: the installed kit
  std::vector<std::string> formats;
  std::string output_dir = ".";
  bool local_broker = false;
  int jobs = 1;
  int verbosity = 0;
  bool quiet = false;
  int connect_timeout_ms = 3000;
  std::string topic_root = "mqttest/probe";  ///< the probe's topics
  std::vector<std::string> vars;             ///< --var name=value: set after the probe's
};

/// `mqttest conformance`; `exit_status` receives its result.
void setup_conformance_command(CLI::App& app, int& exit_status);

/// Probes the broker, then runs the kit with what the probe found as
/// variables. 0 every check held, 1 a check failed or the broker could not
/// be used, 2 usage error, 130 interrupted.
int conformance_command(const conformance_command_options& options);

/// The kit's variables for a probe document (schemas/probe.schema.json):
/// probe_v5, probe_v311, probe_max_qos, probe_retain_available,
/// probe_wildcard_available, probe_shared_available, probe_subid_available,
/// probe_topic_alias_max. `protocol` ("3.1.1" or "5") turns the other
/// version's variable to "false".
std::map<std::string, std::string> probe_variables(const nlohmann::json& probe,
                                                   const std::string& protocol);

/// "N of M checks hold, K skipped (not supported: ...)".
std::string conformance_summary(const run_report& report, const std::string& protocol);

}  // namespace mqttest
