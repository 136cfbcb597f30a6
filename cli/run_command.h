#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mqttest {

struct run_command_options {
  std::vector<std::string> paths;
  std::vector<std::string> vars;  ///< name=value
  std::vector<std::string> var_files;  ///< --var-from-file: YAML maps of variables
  std::vector<std::string> lib_dirs;   ///< --lib-dir: more user executor directories
  bool lenient_keys = false;           ///< --lenient-keys: unknown keys are warnings
  std::vector<std::string> formats;
  std::string output_dir = ".";
  bool stop_on_failure = false;
  bool local_broker = false;
  int verbosity = 0;  ///< -v step results, -vv also MQTT traffic
  bool quiet = false;  ///< -q: failed test cases and the summary only
  int jobs = 1;        ///< suite files run at once, each in its own process
  std::string shard;   ///< "K/N": run only the K-th of N stable slices of the suite files
  int report_messages = 100;  ///< --report-messages: array entries a report shows per result
  int event_fd = -1;   ///< hidden: a --jobs child writes its events here instead of reporting
};

/// `mqttest run`: registers the subcommand; `exit_status` receives its result.
void setup_run_command(CLI::App& app, int& exit_status);

struct run_report;  // executor/engine/report.h

/// Runs with parsed options and returns the exit status (see exit_codes.h).
/// `ran`, when given, receives the run (untouched when nothing ran).
int run_command(const run_command_options& options, run_report* ran = nullptr);

}  // namespace mqttest
