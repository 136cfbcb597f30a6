#include "cli/record_command.h"

#include <fmt/format.h>

#include <climits>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/connection_flags.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/step_command.h"
#include "contracts/recorder.h"
#include "contracts/traffic.h"
#include "executor/core/atomic_file.h"

namespace mqttest {

namespace fs = std::filesystem;

void setup_record_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<record_command_options>();
  CLI::App* record = app.add_subcommand(
      "record", "Listen to live traffic and write a suite whose assertions describe it");
  record->add_option("--addrs", options->addrs,
                     "Broker URL (default: $MQTTEST_ADDRS, else tcp://localhost:1883)");
  record->add_option("-t,--topic", options->topics, "Topic filter (repeatable; + and # allowed)")
      ->required()
      ->take_all()
      ->expected(1);
  record->add_option("-W,--timeout", options->timeout_ms, "Milliseconds to listen")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  record->add_option("-C,--count", options->count,
                     "Stop after this many messages; 0: listen the whole -W")
      ->check(CLI::Range(0, INT_MAX))
      ->capture_default_str();
  record->add_option("-q,--qos", options->qos, "Subscription QoS 0, 1 or 2")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();
  record->add_option("--connect-timeout", options->connect_timeout_ms,
                     "Milliseconds to wait for CONNACK and SUBACK")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  record->add_option("-o,--output", options->output,
                     "Write the suite to this file (default: standard output)");
  record->add_flag("--schema", options->schema,
                   "Also infer a JSON Schema per topic (written to schemas/ beside the suite) "
                   "and check every message with ShouldAllMatchJSONSchema; needs -o");
  record->footer(
      "Exit status: 0 a suite was written, 1 no message arrived or the broker failed,\n"
      "2 usage error (nothing ran), 130 interrupted (nothing written).");
  record->callback([options, &exit_status] { exit_status = record_command(*options); });
}

int record_command(const record_command_options& options) {
  if (options.schema && options.output.empty()) {
    std::cerr << "mqttest record: --schema needs -o FILE (the schemas are written beside it)\n";
    return exit_usage;
  }
  listen_options listening;
  connection_flags flags;
  flags.addrs = options.addrs;
  listening.url = flags.url();
  listening.filters = options.topics;
  listening.wait = std::chrono::milliseconds(options.timeout_ms);
  listening.count = options.count;
  listening.qos = options.qos;
  listening.operation_timeout = std::chrono::milliseconds(options.connect_timeout_ms);
  const std::atomic<bool>& interrupted = install_interrupt_handler();
  listening.interrupted = &interrupted;

  std::vector<observed_message> messages;
  try {
    messages = listen(listening);
  } catch (const std::exception& e) {
    std::cerr << fmt::format("mqttest record: {}\n", e.what());
    return exit_failed;
  }
  if (interrupted.load()) {
    std::cerr << "mqttest record: interrupted, nothing written\n";
    return exit_interrupted;
  }
  if (messages.empty()) {
    std::cerr << fmt::format("mqttest record: no message arrived on [{}] within {} ms; nothing "
                             "written\n",
                             fmt::join(options.topics, ", "), options.timeout_ms);
    return exit_failed;
  }

  record_options recording;
  recording.addrs = listening.url;
  recording.wait_ms = options.timeout_ms;
  recording.qos = options.qos;
  recording.schema = options.schema;
  recorded_suite suite = record_suite(messages, recording);
  if (options.output.empty()) {
    std::cout << suite.text;
    return exit_passed;
  }
  try {
    fs::path folder = fs::path(options.output).parent_path();
    for (const auto& [name, text] : suite.files) {
      fs::create_directories((folder / name).parent_path());
      write_file_atomically((folder / name).string(), text);
    }
    write_file_atomically(options.output, suite.text);
  } catch (const std::exception& e) {
    std::cerr << fmt::format("mqttest record: {}\n", e.what());
    return exit_failed;
  }
  std::cerr << fmt::format("mqttest record: {} message(s) on {} topic(s) -> {}\n",
                           messages.size(), suite.topics, options.output);
  return exit_passed;
}

}  // namespace mqttest
