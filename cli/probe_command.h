#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/connection_flags.h"
#include "steps/mqtt/broker_probe.h"

namespace mqttest {

struct probe_command_options {
  connection_flags connection;
  bool json = false;
  int connect_timeout_ms = 3000;
  int timeout_ms = 2000;
  long long max_payload = 256 * 1024;
  std::string topic_root = "mqttest/probe";
  bool verbose = false;  ///< -v: progress on stderr
};

/// `mqttest probe`; `exit_status` receives its result.
void setup_probe_command(CLI::App& app, int& exit_status);

/// Runs with parsed options and returns the exit status: 0 the broker was
/// reached, 1 it was not, 2 usage error, 130 interrupted.
int probe_command(const probe_command_options& options);

/// The probe settings for these options; throws usage_error.
probe_settings probe_settings_from(const probe_command_options& options);

/// The human-readable table of a probe document.
std::string probe_table(const nlohmann::json& document);

}  // namespace mqttest
