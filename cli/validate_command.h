#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mqttest {

/// `mqttest validate PATH...`: loads every suite file (the loader's checks,
/// which the JSON Schema is generated from) without a broker. Each problem goes to stderr as
/// `file:line:col: message` with the source line and a caret; exit 0 when all
/// files are valid, 2 otherwise.
void setup_validate_command(CLI::App& app, int& exit_status);

int validate_command(const std::vector<std::string>& paths, bool lenient_keys = false);

}  // namespace mqttest
