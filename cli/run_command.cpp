#include "cli/run_command.h"

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "executor/document.h"
#include "executor/errors.h"
#include "executor/loader.h"
#include "executor/local_broker.h"
#include "executor/runner.h"

namespace mqttest {
namespace {

using nlohmann::json;

/// `name=value`; the value keeps its YAML type (`1` is a number, `[a]` a list).
std::pair<std::string, json> parse_var(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw usage_error(fmt::format("--var needs name=value, got \"{}\"", text));
  std::string value = text.substr(eq + 1);
  json parsed = value;
  try {
    parsed = parse_document(value, "--var")->root;
  } catch (const config_error&) {
    // Not YAML: keep the text as a string.
  }
  return {text.substr(0, eq), parsed};
}

bool use_color() {
  return std::getenv("NO_COLOR") == nullptr && isatty(STDOUT_FILENO) == 1;
}

std::vector<suite> load_suites(const std::vector<std::string>& paths) {
  std::vector<suite> suites;
  for (const std::string& path : paths)
    for (const std::string& file : collect_suite_files(path)) suites.push_back(load_suite(file));
  return suites;
}

}  // namespace

void setup_run_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<run_command_options>();
  CLI::App* run = app.add_subcommand("run", "Run test suites (files or directories)");
  run->add_option("paths", options->paths, "Suite files or directories (default: .)");
  run->add_option("--var", options->vars, "Override a suite variable: name=value (repeatable)");
  run->add_flag("--stop-on-failure", options->stop_on_failure,
                "Stop the run after the first failed test case");
  run->add_flag("-v,--verbose", options->verbosity, "Show each step's result JSON");
  run->add_option("--output-dir", options->output_dir, "Directory for report files")
      ->capture_default_str();
  run->add_option("--format", options->formats, "Report files to write: junit")
      ->delimiter(',')
      ->check(CLI::IsMember({"junit"}));
  run->add_flag("--local-broker", options->local_broker,
                "Start a private mosquitto on a free loopback port and set addrs to it");
  run->footer(
      "Exit status: 0 all passed, 1 a test failed, 2 usage/config/load error (nothing ran),\n"
      "130 interrupted (reports still written).");
  run->callback([options, &exit_status] { exit_status = run_command(*options); });
}

int run_command(const run_command_options& options) {
  try {
    run_options run;
    for (const std::string& text : options.vars) {
      auto [name, value] = parse_var(text);
      run.vars[name] = value;
    }
    std::vector<std::string> paths = options.paths;
    if (paths.empty()) paths.push_back(".");
    std::vector<suite> suites = load_suites(paths);

    std::optional<local_broker> broker;
    if (options.local_broker) {
      try {
        broker.emplace();
      } catch (const std::exception& e) {
        std::cerr << "mqttest: --local-broker: " << e.what() << '\n';
        return exit_usage;
      }
      run.vars["addrs"] = broker->url();
    }

    reporter_options report_options{options.verbosity, use_color(), options.output_dir};
    std::vector<std::unique_ptr<reporter>> owned;
    owned.push_back(make_reporter("console", std::cout, report_options));
    for (const std::string& format : options.formats)
      owned.push_back(make_reporter(format, std::cout, report_options));
    std::vector<reporter*> reporters;
    for (auto& r : owned) reporters.push_back(r.get());

    run.stop_on_failure = options.stop_on_failure;
    run.verbosity = options.verbosity;
    run.interrupted = &install_interrupt_handler();
    run_report report = run_suites(suites, run, reporters);
    std::cout.flush();
    if (report.interrupted) return exit_interrupted;
    return report.totals().failed > 0 ? exit_failed : exit_passed;
  } catch (const config_error& e) {
    std::cerr << e.what() << '\n';
  } catch (const usage_error& e) {
    std::cerr << "mqttest: " << e.what() << '\n';
  } catch (const std::runtime_error& e) {
    std::cerr << "mqttest: " << e.what() << '\n';
  }
  return exit_usage;
}

}  // namespace mqttest
