#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/connection_flags.h"

namespace mqttest {

/// Options every single-step command (pub, sub, queue) shares.
struct step_command_options {
  connection_flags connection;          ///< --addrs, auth and TLS
  std::string client_id;                ///< empty: generated (mqttest-<random>)
  int qos = 0;
  int connect_timeout_ms = 5000;
  std::vector<std::string> assertions;  ///< --assert 'PATH Keyword ARGS'
  bool pretty = false;
  int verbosity = 0;                    ///< -v: MQTT traffic on stderr
};

/// A step field (JSON pointer prefix such as "/topics") and the flag that
/// sets it, so a bad value is reported against the flag the user typed.
using flag_names = std::vector<std::pair<std::string, std::string>>;

/// What a command adds to the step's context, and where the result goes.
struct step_command_io {
  /// sub --stream: each message as it arrives (see step_context::on_message)
  std::function<void(const nlohmann::json& message)> on_message;
  /// pub -l / --repeat: the payloads (see step_context::next_payload)
  std::function<bool(std::string& payload)> next_payload;
  /// sub --stream: stdout carries only the messages; the result goes to stderr
  bool result_on_stderr = false;
};

/// Adds the connection flags (cli/connection_flags.h), -i, -q, --connect-timeout, --assert, --pretty and -v.
void add_step_command_options(CLI::App& command, step_command_options& options);

/// The `type: mqtt` step fields the shared options set (addrs, username,
/// password, tls, clientId, qos, connectTimeout); the command adds its own.
nlohmann::json common_step_fields(const step_command_options& options);

/// The one path from fields to exit status, the same as a suite step's:
/// the registered step kind builds and runs the step, the suite assertion
/// engine evaluates --assert (or the default `result.error ShouldBeEmpty`),
/// the result JSON goes to stdout, problems to stderr. Returns 0 when the
/// step passed, 1 when it failed, 2 for a bad field or assertion.
int run_step_command(std::string_view command, const nlohmann::json& fields,
                     const step_command_options& options, const flag_names& flags,
                     const step_command_io& io = {});

}  // namespace mqttest
