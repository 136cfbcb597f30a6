#include "cli/asyncapi_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/connection_flags.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/step_command.h"
#include "contracts/asyncapi.h"
#include "contracts/asyncapi_suites.h"
#include "contracts/contract_check.h"
#include "contracts/traffic.h"
#include "executor/core/atomic_file.h"
#include "executor/core/errors.h"

namespace mqttest {

namespace fs = std::filesystem;

void setup_asyncapi_command(CLI::App& app, int& exit_status) {
  CLI::App* asyncapi = app.add_subcommand(
      "asyncapi", "Contract tests from an AsyncAPI 2.x/3.0 document: generate suites, or check "
                  "live traffic");
  asyncapi->require_subcommand(1);

  auto gen = std::make_shared<asyncapi_gen_options>();
  CLI::App* gen_command = asyncapi->add_subcommand(
      "gen", "Write one suite per channel (and its payload schema) from the document");
  gen_command->add_option("document", gen->document, "AsyncAPI document (YAML or JSON)")
      ->required();
  gen_command->add_option("--out", gen->out, "Folder for the suites and schemas")
      ->capture_default_str();
  gen_command->footer(
      "Exit status: 0 suites written, 1 a file could not be written, 2 usage or document "
      "error\n(file:line:col), nothing written.");
  gen_command->callback([gen, &exit_status] { exit_status = asyncapi_gen_command(*gen); });

  auto check = std::make_shared<asyncapi_check_options>();
  CLI::App* check_command = asyncapi->add_subcommand(
      "check", "Listen to every channel and check each message against its payload schema");
  check_command->add_option("document", check->document, "AsyncAPI document (YAML or JSON)")
      ->required();
  check_command->add_option(
      "--addrs", check->addrs,
      "Broker URL (default: the document's MQTT server, else $MQTTEST_ADDRS, else "
      "tcp://localhost:1883)");
  check_command->add_option("--listen", check->listen_ms, "Milliseconds to listen")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  check_command->add_option("--format", check->format, "Report format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  check_command->add_option("--connect-timeout", check->connect_timeout_ms,
                            "Milliseconds to wait for CONNACK and SUBACK")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  check_command->footer(
      "Exit status: 0 no violation, 1 a message broke the contract or the broker failed,\n"
      "2 usage or document error (nothing ran), 130 interrupted.");
  check_command->callback([check, &exit_status] { exit_status = asyncapi_check_command(*check); });
}

int asyncapi_gen_command(const asyncapi_gen_options& options) {
  std::vector<generated_file> files;
  try {
    files = generate_suites(read_asyncapi(options.document));
  } catch (const config_error& e) {
    std::cerr << e.what() << '\n';
    return exit_usage;
  }
  if (files.empty()) {
    std::cerr << fmt::format("mqttest asyncapi gen: {} has no channel with a message\n",
                             options.document);
    return exit_usage;
  }
  try {
    fs::create_directories(options.out);
    for (const generated_file& file : files) {
      std::string path = (fs::path(options.out) / file.name).string();
      write_file_atomically(path, file.text);
      std::cout << path << '\n';
    }
  } catch (const std::exception& e) {
    std::cerr << fmt::format("mqttest asyncapi gen: {}\n", e.what());
    return exit_failed;
  }
  return exit_passed;
}

int asyncapi_check_command(const asyncapi_check_options& options) {
  asyncapi_document doc;
  try {
    doc = read_asyncapi(options.document);
  } catch (const config_error& e) {
    std::cerr << e.what() << '\n';
    return exit_usage;
  }
  listen_options listening;
  listening.url = !options.addrs.empty() ? options.addrs
                  : !doc.server_url.empty() ? doc.server_url
                                            : connection_flags{}.url();
  for (const asyncapi_channel& channel : doc.channels) {
    if (channel.messages.empty()) continue;
    if (std::find(listening.filters.begin(), listening.filters.end(), channel.filter) ==
        listening.filters.end())
      listening.filters.push_back(channel.filter);
    listening.qos = std::max(listening.qos, channel.qos.value_or(0));
  }
  if (listening.filters.empty()) {
    std::cerr << fmt::format("mqttest asyncapi check: {} has no channel with a message\n",
                             options.document);
    return exit_usage;
  }
  std::erase_if(doc.channels, [](const asyncapi_channel& c) { return c.messages.empty(); });
  listening.wait = std::chrono::milliseconds(options.listen_ms);
  listening.operation_timeout = std::chrono::milliseconds(options.connect_timeout_ms);
  const std::atomic<bool>& interrupted = install_interrupt_handler();
  listening.interrupted = &interrupted;

  std::vector<channel_verdict> verdicts;
  try {
    verdicts = check_contract(doc, {});  // a bad schema is found before anything connects
  } catch (const std::exception& e) {
    std::cerr << fmt::format("mqttest asyncapi check: {}\n", e.what());
    return exit_usage;
  }
  try {
    verdicts = check_contract(doc, listen(listening));
  } catch (const std::exception& e) {
    std::cerr << fmt::format("mqttest asyncapi check: {}\n", e.what());
    return exit_failed;
  }
  if (options.format == "json")
    std::cout << contract_report_json(verdicts).dump(2) << '\n';
  else
    std::cout << contract_report_text(verdicts);
  if (interrupted.load()) return exit_interrupted;
  bool violated = std::any_of(verdicts.begin(), verdicts.end(),
                              [](const channel_verdict& v) { return !v.violations.empty(); });
  return violated ? exit_failed : exit_passed;
}

}  // namespace mqttest
