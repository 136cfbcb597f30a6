#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/step_command.h"

namespace mqttest {

struct pub_command_options {
  step_command_options common;
  std::string topic;
  std::string message;      ///< -m
  std::string file;         ///< -f
  bool from_stdin = false;  ///< -s
  bool null_message = false;
  bool lines = false;       ///< -l: one message per stdin line
  int repeat = 1;           ///< --repeat: send the message this many times
  int interval_ms = 0;      ///< --interval: pause between messages
  bool retained = false;
  int timeout_ms = 5000;
};

/// `mqttest pub`: one publisher step; `exit_status` receives its result.
void setup_pub_command(CLI::App& app, int& exit_status);

/// Runs with parsed options and returns the exit status (see exit_codes.h).
int pub_command(const pub_command_options& options);

}  // namespace mqttest
