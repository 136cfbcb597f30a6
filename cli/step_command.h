#pragma once

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace mqttest {

/// Options every single-step command (pub, sub, queue) shares.
struct step_command_options {
  std::string addrs;                    ///< empty: MQTTEST_ADDRS, then tcp://localhost:1883
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

/// The broker URL: `given`, else $MQTTEST_ADDRS, else tcp://localhost:1883.
std::string default_broker_url(const std::string& given);

/// Adds --addrs, -i, -q, --connect-timeout, --assert, --pretty and -v.
void add_step_command_options(CLI::App& command, step_command_options& options);

/// The `type: mqtt` step fields the shared options set (addrs, clientId, qos,
/// connectTimeout); the command adds its own.
nlohmann::json common_step_fields(const step_command_options& options);

/// The one path from fields to exit status, the same as a suite step's:
/// the registered step kind builds and runs the step, the suite assertion
/// engine evaluates --assert (or the default `result.error ShouldBeEmpty`),
/// the result JSON goes to stdout, problems to stderr. Returns 0 when the
/// step passed, 1 when it failed, 2 for a bad field or assertion.
int run_step_command(std::string_view command, const nlohmann::json& fields,
                     const step_command_options& options, const flag_names& flags);

}  // namespace mqttest
