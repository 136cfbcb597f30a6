#include "cli/pub_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "executor/core/errors.h"

namespace mqttest {
namespace {

using nlohmann::json;

/// All bytes of `file`; "" and errno in `error` when reading fails.
std::string read_all(std::FILE* file, int& error) {
  std::string text;
  char buffer[65536];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, count);
  error = std::ferror(file) != 0 ? errno : 0;
  return text;
}

std::string read_payload_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr)
    throw usage_error(fmt::format("-f {}: cannot read: {}", path, std::strerror(errno)));
  int error = 0;
  std::string text = read_all(file, error);
  std::fclose(file);
  if (error != 0) throw usage_error(fmt::format("-f {}: cannot read: {}", path, std::strerror(error)));
  return text;
}

std::string read_stdin() {
  int error = 0;
  std::string text = read_all(stdin, error);
  if (error != 0) throw usage_error(fmt::format("-s: cannot read standard input: {}", std::strerror(error)));
  return text;
}

std::string payload(const pub_command_options& options) {
  if (!options.file.empty()) return read_payload_file(options.file);
  if (options.from_stdin) return read_stdin();
  return options.message;
}

}  // namespace

void setup_pub_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<pub_command_options>();
  CLI::App* pub = app.add_subcommand(
      "pub", "Publish one message (a publisher step) and print the result JSON");
  add_step_command_options(*pub, options->common);
  pub->add_option("-t,--topic", options->topic, "Topic to publish to")->required();
  CLI::Option_group* source =
      pub->add_option_group("payload", "Exactly one of -m, -f, -s, -n");
  source->add_option("-m,--message", options->message, "Payload text");
  source->add_option("-f,--file", options->file, "Payload: the contents of FILE");
  source->add_flag("-s,--stdin-message", options->from_stdin, "Payload: all of standard input");
  source->add_flag("-n,--null-message", options->null_message, "Empty payload");
  source->require_option(1);
  pub->add_flag("-r,--retain", options->retained, "Retain the message");
  pub->add_option("--timeout", options->timeout_ms,
                  "Milliseconds to wait for each broker operation (PUBACK, ...)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  pub->footer(step_exit_status_footer());
  pub->callback([options, &exit_status] { exit_status = pub_command(*options); });
}

int pub_command(const pub_command_options& options) {
  json fields = common_step_fields(options.common);
  fields["clientType"] = "publisher";
  fields["timeout"] = options.timeout_ms;
  try {
    fields["messages"] = json::array({{{"topic", options.topic},
                                       {"payload", payload(options)},
                                       {"qos", options.common.qos},
                                       {"retained", options.retained}}});
  } catch (const usage_error& e) {
    std::cerr << "mqttest pub: " << e.what() << '\n';
    return exit_usage;
  }
  return run_step_command("pub", fields, options.common,
                          {{"/messages/0/topic", "-t"},
                           {"/messages/0/qos", "-q"},
                           {"/timeout", "--timeout"}});
}

}  // namespace mqttest
