#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/step_command.h"

namespace mqttest {

struct queue_command_options {
  step_command_options common;
  std::vector<std::string> topics;
  bool register_queue = false;  ///< --register: persistSubscription true
  bool release_queue = false;   ///< --release: persistSubscription false
  int timeout_ms = 5000;
};

/// `mqttest queue`: one persistent_queue step; `exit_status` receives its result.
void setup_queue_command(CLI::App& app, int& exit_status);

/// Runs with parsed options and returns the exit status (see exit_codes.h).
int queue_command(const queue_command_options& options);

}  // namespace mqttest
