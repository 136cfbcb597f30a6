#pragma once

#include <string>

#include "executor/suite/suite.h"
#include "steps/registry.h"

namespace mqttest {

/// Loads and checks a suite file: structure, unknown keys (with "did you
/// mean"), step kinds and their field types/ranges (values that contain a
/// template are checked after expansion), assertion syntax. Throws
/// config_error with `file:line:col`, source line and caret. No network I/O.
/// User executors come from `lib/` beside the suite and from `lib_dirs`.
/// `kinds` resolves `type:`.
/// With `lenient_keys` (for migrating a Venom tree, which drops unknown keys
/// silently) an unknown key is a warning in suite::warnings, and ignored.
suite load_suite(const std::string& path, const step_registry& kinds,
                 const std::vector<std::string>& lib_dirs = {}, bool lenient_keys = false);

/// Expands a path argument into suite files: a file as is; a directory into
/// every *.yml / *.yaml below it, sorted, except in `lib/` directories
/// (user executors). Throws usage_error if missing.
std::vector<std::string> collect_suite_files(const std::string& path);

}  // namespace mqttest
