#pragma once

#include <CLI/CLI.hpp>

namespace mqttest {

/// `mqttest help [COMMAND]`: the help of the program or of one command
/// (exit 0); an unknown command is a usage error (exit 2).
void setup_help_command(CLI::App& app, int& exit_status);

}  // namespace mqttest
