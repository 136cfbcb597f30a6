#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/step_command.h"

namespace mqttest {

struct sub_command_options {
  step_command_options common;
  std::vector<std::string> topics;
  int count = 1;          ///< -C: messageLimit
  int timeout_ms = 5000;  ///< -W
  bool persist = false;
  bool stream = false;    ///< --stream: one JSON line per message on stdout

};

/// `mqttest sub`: one subscriber step; `exit_status` receives its result.
void setup_sub_command(CLI::App& app, int& exit_status);

/// Runs with parsed options and returns the exit status (see exit_codes.h).
int sub_command(const sub_command_options& options);

}  // namespace mqttest
