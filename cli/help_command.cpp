#include "cli/help_command.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/exit_codes.h"
#include "executor/core/errors.h"

namespace mqttest {
namespace {

int print_help(const CLI::App& app, const std::string& command) {
  if (command.empty()) {
    std::cout << app.help();
    return exit_passed;
  }
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == command) {
      std::cout << sub->help(app.get_name());
      return exit_passed;
    }
    names.push_back(sub->get_name());
  }
  std::string guess = did_you_mean(command, names);
  std::cerr << fmt::format("mqttest help: unknown command \"{}\"{}; commands: {}\n", command,
                           guess.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", guess),
                           fmt::join(names, ", "));
  return exit_usage;
}

}  // namespace

void setup_help_command(CLI::App& app, int& exit_status) {
  auto command = std::make_shared<std::string>();
  CLI::App* help = app.add_subcommand("help", "Show the help of mqttest or of one command");
  help->add_option("command", *command, "A command: run, pub, sub, queue, ...");
  help->footer(exit_status_footer());
  help->callback([&app, command, &exit_status] { exit_status = print_help(app, *command); });
}

}  // namespace mqttest
