#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mqttest {

struct run_command_options {
  std::vector<std::string> paths;
  std::vector<std::string> vars;  ///< name=value
  std::vector<std::string> formats;
  std::string output_dir = ".";
  bool stop_on_failure = false;
  bool local_broker = false;
  int verbosity = 0;
};

/// `mqttest run`: registers the subcommand; `exit_status` receives its result.
void setup_run_command(CLI::App& app, int& exit_status);

/// Runs with parsed options and returns the exit status (see exit_codes.h).
int run_command(const run_command_options& options);

}  // namespace mqttest
