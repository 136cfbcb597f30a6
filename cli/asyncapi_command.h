#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace mqttest {

struct asyncapi_gen_options {
  std::string document;
  std::string out = ".";
};

struct asyncapi_check_options {
  std::string document;
  std::string addrs;  ///< empty: the document's MQTT server, else $MQTTEST_ADDRS, else localhost
  int listen_ms = 5000;
  std::string format = "text";
  int connect_timeout_ms = 5000;
};

/// `mqttest asyncapi gen|check`: suites from an AsyncAPI document, or a
/// contract check of live traffic against it.
void setup_asyncapi_command(CLI::App& app, int& exit_status);

int asyncapi_gen_command(const asyncapi_gen_options& options);
int asyncapi_check_command(const asyncapi_check_options& options);

}  // namespace mqttest
