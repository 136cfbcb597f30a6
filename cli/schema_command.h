#pragma once

#include <CLI/CLI.hpp>

namespace mqttest {

/// `mqttest schema [--reference]` (hidden, for scripts/gen_schema.sh): prints
/// the suite format's JSON Schema, or the README's field reference, both
/// generated from the field specs of the built-in step kinds.
void setup_schema_command(CLI::App& app, int& exit_status);

}  // namespace mqttest
