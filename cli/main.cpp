#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"
#include "cli/help_command.h"
#include "cli/validate_command.h"
#include "cli/pub_command.h"
#include "cli/queue_command.h"
#include "cli/run_command.h"
#include "cli/schema_command.h"
#include "cli/step_command.h"
#include "cli/sub_command.h"

// Exits with _Exit after flushing: tearing Paho down costs 100-200 ms and
// buys nothing for a process that is about to end (DESIGN.md, Paho facts).
[[noreturn]] static void finish(int status) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(status);
}

int main(int argc, char** argv) {
  CLI::App app{"mqttest: run YAML test suites (OVH Venom's MQTT format) against an MQTT broker",
               "mqttest"};
  app.set_version_flag("--version", std::string("mqttest ") + MQTTEST_VERSION);
  app.require_subcommand(1);
  app.footer(mqttest::exit_status_footer());
  int status = mqttest::exit_passed;
  mqttest::setup_run_command(app, status);
  mqttest::setup_pub_command(app, status);
  mqttest::setup_sub_command(app, status);
  mqttest::setup_queue_command(app, status);
  mqttest::setup_help_command(app, status);
  mqttest::setup_validate_command(app, status);
  mqttest::setup_schema_command(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    finish(rc == 0 ? mqttest::exit_passed : mqttest::exit_usage);
  }
  finish(status);
}
