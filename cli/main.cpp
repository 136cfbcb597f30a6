#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/asyncapi_command.h"
#include "cli/conformance_command.h"
#include "cli/exit_codes.h"
#include "cli/help_command.h"
#include "cli/validate_command.h"
#include "cli/probe_command.h"
#include "cli/pub_command.h"
#include "cli/queue_command.h"
#include "cli/record_command.h"
#include "cli/run_command.h"
#include "cli/schema_command.h"
#include "cli/step_command.h"
#include "cli/sub_command.h"
#include "executor/core/errors.h"
#include "executor/core/limits.h"

// Exits with _Exit after flushing: destroying the last Paho client waits
// 100-200 ms for Paho's receive thread, which buys nothing for a process that
// is about to end (steps/mqtt/paho/paho_runtime.h has the Paho facts).
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
  mqttest::setup_probe_command(app, status);
  mqttest::setup_conformance_command(app, status);
  mqttest::setup_record_command(app, status);
  mqttest::setup_asyncapi_command(app, status);
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> commands;
    for (const CLI::App* command : app.get_subcommands([](CLI::App*) { return true; }))
      commands.push_back(command->get_name());
    if (std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
      std::string guess = mqttest::did_you_mean(argv[1], commands);
      std::cerr << "mqttest: unknown command \"" << argv[1] << '"'
                << (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)")
                << "\nRun 'mqttest --help' for the commands.\n";
      finish(mqttest::exit_usage);
    }
  }
  try {
    mqttest::check_limit_environment();
  } catch (const mqttest::usage_error& e) {
    std::cerr << "mqttest: " << e.what() << '\n';
    finish(mqttest::exit_usage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    finish(rc == 0 ? mqttest::exit_passed : mqttest::exit_usage);
  }
  finish(status);
}
