#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mqttest {

struct record_command_options {
  std::string addrs;                ///< empty: MQTTEST_ADDRS, then tcp://localhost:1883
  std::vector<std::string> topics;  ///< -t filters
  int timeout_ms = 5000;            ///< -W: how long to listen
  int count = 0;                    ///< -C: stop after N messages (0: listen the whole -W)
  int qos = 0;
  int connect_timeout_ms = 5000;
  std::string output;               ///< -o: suite file; empty: stdout
  bool schema = false;              ///< --schema: infer a JSON Schema per topic
};

/// `mqttest record`: listens to live traffic and writes a suite describing it.
void setup_record_command(CLI::App& app, int& exit_status);

/// Runs with parsed options and returns the exit status (see exit_codes.h).
int record_command(const record_command_options& options);

}  // namespace mqttest
