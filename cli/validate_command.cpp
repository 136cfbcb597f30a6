#include "cli/validate_command.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/step_kinds.h"
#include "executor/core/errors.h"
#include "executor/suite/loader.h"

namespace mqttest {

void setup_validate_command(CLI::App& app, int& exit_status) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto lenient = std::make_shared<bool>(false);
  CLI::App* validate = app.add_subcommand("validate",
                                          "Check suite files (structure, keys, values, schema) "
                                          "without a broker");
  validate->add_option("paths", *paths, "Suite files or directories")->required();
  validate->add_flag("--lenient-keys", *lenient,
                     "Unknown keys are warnings (file:line:col on stderr), not errors");
  validate->footer(
      "Exit status: 0 all files valid, 2 a problem was found (each printed as "
      "file:line:col: message).");
  validate->callback(
      [paths, lenient, &exit_status] { exit_status = validate_command(*paths, *lenient); });
}

int validate_command(const std::vector<std::string>& paths, bool lenient_keys) {
  int files = 0, invalid = 0;
  bool missing = false;
  for (const std::string& path : paths) {
    std::vector<std::string> suite_files;
    try {
      suite_files = collect_suite_files(path);
    } catch (const usage_error& e) {
      std::cerr << "mqttest: " << e.what() << '\n';
      missing = true;
      continue;
    }
    for (const std::string& file : suite_files) {
      ++files;
      try {
        for (const std::string& warning :
             load_suite(file, builtin_step_kinds(), {}, lenient_keys).warnings)
          std::cerr << "mqttest: warning: " << warning << '\n';
      } catch (const config_error& e) {
        std::cerr << e.what() << '\n';
        ++invalid;
      }
    }
  }
  if (invalid > 0) std::cerr << fmt::format("{} of {} suite file(s) invalid\n", invalid, files);
  if (invalid > 0 || missing) return exit_usage;
  std::cout << fmt::format("{} suite file(s) valid\n", files);
  return exit_passed;
}

}  // namespace mqttest
