#include "cli/run_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/parallel_run.h"
#include "cli/step_kinds.h"
#include "executor/core/document.h"
#include "executor/core/errors.h"
#include "executor/engine/events.h"
#include "executor/engine/runner.h"
#include "executor/engine/step_details.h"
#include "executor/lang/vars.h"
#include "executor/report/event_stream.h"
#include "executor/suite/loader.h"
#include "steps/mqtt/local_broker.h"

namespace mqttest {
namespace {

using nlohmann::json;

bool use_color() { return std::getenv("NO_COLOR") == nullptr && isatty(STDOUT_FILENO) == 1; }

std::vector<std::string> suite_files(const run_command_options& options) {
  std::vector<std::string> paths = options.paths;
  if (paths.empty()) paths.push_back(".");
  std::vector<std::string> files;
  for (const std::string& path : paths)
    for (const std::string& file : collect_suite_files(path)) files.push_back(file);
  if (!options.shard.empty()) files = shard_files(files, options.shard);
  return files;
}

/// Report files are written after the run; a directory that cannot take
/// them is a usage error before anything runs (exit 2), not after.
void check_output_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec && !fs::is_directory(dir, ec)) ec = std::make_error_code(std::errc::not_a_directory);
  std::string probe = (fs::path(dir) / ".mqttest-write-check-XXXXXX").string();
  int fd = ec ? -1 : ::mkstemp(probe.data());
  if (fd < 0 && !ec) ec = std::error_code(errno, std::generic_category());
  if (ec)
    throw usage_error(
        fmt::format("--output-dir \"{}\": cannot write there: {}", dir, ec.message()));
  ::close(fd);
  ::unlink(probe.c_str());
}

/// What every `--jobs` child repeats of this command line.
std::vector<std::string> child_args(const run_command_options& options,
                                    const std::optional<local_broker>& broker) {
  std::vector<std::string> args;
  for (const std::string& var : options.vars) args.insert(args.end(), {"--var", var});
  for (const std::string& f : options.var_files) args.insert(args.end(), {"--var-from-file", f});
  if (options.lenient_keys) args.push_back("--lenient-keys");
  for (const std::string& d : options.lib_dirs) args.insert(args.end(), {"--lib-dir", d});
  if (broker)
    for (const auto& [name, value] : broker->variables())
      args.insert(args.end(), {"--var", name + "=" + value});
  for (int i = 0; i < options.verbosity; ++i) args.push_back("-v");  // -vv: trace events
  if (options.stop_on_failure) args.push_back("--stop-on-failure");
  args.insert(args.end(), {"--report-messages", std::to_string(options.report_messages)});
  return args;
}

}  // namespace

void setup_run_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<run_command_options>();
  CLI::App* run = app.add_subcommand("run", "Run test suites (files or directories)");
  run->add_option("paths", options->paths, "Suite files or directories (default: .)");
  run->add_option("--var", options->vars, "Override a suite variable: name=value (repeatable)");
  run->add_option("--var-from-file", options->var_files,
                  "Variables from a YAML map file (repeatable; below env and --var)");
  run->add_option("--lib-dir", options->lib_dirs,
                  "More directories of user executors besides lib/ (repeatable)");
  run->add_flag("--lenient-keys", options->lenient_keys,
                "Unknown keys are warnings (file:line:col on stderr), not errors: for "
                "migrating Venom suites, which Venom runs ignoring such keys");
  run->add_flag("--stop-on-failure", options->stop_on_failure,
                "Stop the run after the first failed test case");
  auto* verbose = run->add_flag("-v,--verbose", options->verbosity,
                                "Show each step's result JSON; -vv also the MQTT traffic with "
                                "timestamps");
  run->add_flag("-q,--quiet", options->quiet, "Print only failed test cases and the summary")
      ->excludes(verbose);
  run->add_option("--output-dir", options->output_dir, "Directory for report files")
      ->capture_default_str();
  run->add_option("--format", options->formats,
                  "Report files to write, comma-separated: junit,json,tap,yaml,html "
                  "(mqttest-junit.xml, mqttest-report.{json,tap,yaml,html})")
      ->delimiter(',')
      ->check(CLI::IsMember(reporter_names()));
  run->add_option("--report-messages", options->report_messages,
                  "Reports and -v show at most N messages (entries of each result array) per "
                  "step, then \"... and M more\"; assertions see all. 0: show all")
      ->check(CLI::Range(0, INT_MAX))
      ->capture_default_str();
  run->add_option("-j,--jobs", options->jobs,
                  "Run up to N suite files at once, each in its own process");
  run->add_option("--shard", options->shard,
                  "Run only slice K of N of the sorted suite files (K/N, e.g. 2/4)");
  run->add_flag("--local-broker", options->local_broker,
                "Start a private mosquitto on free loopback ports (plain, TLS, mutual TLS, password, "
                "ws, wss) and set addrs, tls_addrs, mtls_addrs, auth_addrs, ws_addrs, wss_addrs, "
                "ca_file, cert_file, key_file, username and password to it");
  run->add_option("--event-fd", options->event_fd,
                  "Write the run's events as JSON lines to this file descriptor, nothing else "
                  "(how a --jobs child reports to its parent)")
      ->group("");  // hidden
  run->footer(exit_status_footer());
  run->callback([options, &exit_status] { exit_status = run_command(*options); });
}

int run_command(const run_command_options& options, run_report* ran) {
  // First: a signal from here on (say, during --local-broker start-up) ends
  // the run through the runner, with reports and the broker stopped.
  const std::atomic<bool>& interrupted = install_interrupt_handler();
  report_array_limit() = static_cast<std::size_t>(options.report_messages);
  try {
    run_options run;
    run.vars = external_vars({options.var_files, environment_entries(), options.vars});
    if (options.jobs < 1)
      throw usage_error(fmt::format("--jobs must be at least 1, got {}", options.jobs));
    std::vector<std::string> files = suite_files(options);
    std::vector<suite> suites;
    for (const std::string& file : files) {
      suites.push_back(
          load_suite(file, builtin_step_kinds(), options.lib_dirs, options.lenient_keys));
      if (options.event_fd < 0)  // a --jobs child: its parent said it already
        for (const std::string& warning : suites.back().warnings)
          std::cerr << "mqttest: warning: " << warning << '\n';
    }

    if (!options.formats.empty()) check_output_dir(options.output_dir);

    std::optional<local_broker> broker;
    if (options.local_broker) {
      try {
        broker_options broker_config;
        broker_config.secure_listeners = true;
        broker.emplace(broker_config);
      } catch (const std::exception& e) {
        if (interrupted.load()) return exit_interrupted;
        std::cerr << "mqttest: --local-broker: " << e.what() << '\n';
        return exit_usage;
      }
      for (const auto& [name, value] : broker->variables()) run.vars[name] = value;
    }

    reporter_options report_options{options.quiet ? -1 : options.verbosity, use_color(),
                                    isatty(STDOUT_FILENO) == 1, options.output_dir};
    std::vector<std::unique_ptr<reporter>> owned;
    if (options.event_fd >= 0) {
      owned.push_back(std::make_unique<event_stream_writer>(options.event_fd));
    } else {
      owned.push_back(make_reporter("console", std::cout, report_options));
      std::vector<std::string> formats;
      for (const std::string& format : options.formats)
        if (std::find(formats.begin(), formats.end(), format) == formats.end())
          formats.push_back(format);
      for (const std::string& format : formats)
        owned.push_back(make_reporter(format, std::cout, report_options));
    }
    multi_reporter reporters;
    for (auto& r : owned) reporters.add(*r);

    run.stop_on_failure = options.stop_on_failure;
    run.verbosity = options.verbosity;
    run.interrupted = &interrupted;
    run_report report;
    if (options.jobs > 1 && suites.size() > 1) {
      parallel_options parallel{options.jobs, child_args(options, broker), options.stop_on_failure,
                                run.interrupted};
      report = run_in_parallel(files, parallel, reporters);
    } else {
      report = run_suites(suites, run, reporters);
    }
    std::cout.flush();
    // Tests ran: a report that could not be written (the directory gone,
    // the disk full) fails the run, but is not "nothing ran" (2).
    for (const std::string& failure : reporters.failures())
      std::cerr << "mqttest: report not written: " << failure << '\n';
    if (ran != nullptr) *ran = report;
    if (report.interrupted) return exit_interrupted;
    bool failed = report.totals().failed > 0 || !reporters.failures().empty();
    return failed ? exit_failed : exit_passed;
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
