#include "cli/pub_command.h"

#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/interrupt.h"
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

/// Sleeps `ms`, in short slices so Ctrl-C ends it; false when interrupted.
bool pause(int ms) {
  const std::atomic<bool>& interrupted = install_interrupt_handler();
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!interrupted.load()) {
    auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        left, std::chrono::milliseconds(50)));
  }
  return false;
}

/// -l: the next line of standard input without its '\n'; false at its end.
bool next_line(std::string& payload) {
  static char* buffer = nullptr;  // getline(3) grows it; freed at exit
  static std::size_t capacity = 0;
  ssize_t length = ::getline(&buffer, &capacity, stdin);
  if (length < 0) return false;
  if (length > 0 && buffer[length - 1] == '\n') --length;
  payload.assign(buffer, static_cast<std::size_t>(length));
  return true;
}

/// The payloads of -l or --repeat, with --interval between them.
std::function<bool(std::string&)> payload_source(const pub_command_options& options,
                                                 std::string fixed) {
  auto sent = std::make_shared<long>(0);
  return [options, fixed = std::move(fixed), sent](std::string& payload) {
    if (!options.lines && *sent >= options.repeat) return false;
    if (*sent > 0 && options.interval_ms > 0 && !pause(options.interval_ms)) return false;
    if (options.lines) {
      if (!next_line(payload)) return false;
    } else {
      payload = fixed;
    }
    ++*sent;
    return true;
  };
}

}  // namespace

void setup_pub_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<pub_command_options>();
  CLI::App* pub = app.add_subcommand(
      "pub", "Publish one message (a publisher step) and print the result JSON");
  add_step_command_options(*pub, options->common);
  pub->add_option("-t,--topic", options->topic, "Topic to publish to")->required();
  CLI::Option_group* source =
      pub->add_option_group("payload", "Exactly one of -m, -f, -s, -n, -l");
  source->add_option("-m,--message", options->message, "Payload text");
  source->add_option("-f,--file", options->file, "Payload: the contents of FILE");
  source->add_flag("-s,--stdin-message", options->from_stdin, "Payload: all of standard input");
  source->add_flag("-n,--null-message", options->null_message, "Empty payload");
  CLI::Option* lines = source->add_flag(
      "-l,--stdin-line", options->lines,
      "One message per line of standard input (without its newline), sent as lines arrive");
  source->require_option(1);
  pub->add_flag("-r,--retain", options->retained, "Retain the message");
  pub->add_option("--repeat", options->repeat, "Send the message this many times")
      ->check(CLI::Range(1, INT_MAX))
      ->excludes(lines)
      ->capture_default_str();
  pub->add_option("--interval", options->interval_ms,
                  "Milliseconds to wait between two messages (with -l or --repeat)")
      ->check(CLI::Range(0, INT_MAX))
      ->capture_default_str();
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
  step_command_io io;
  try {
    std::string text = options.lines ? std::string() : payload(options);
    if (options.lines || options.repeat > 1) io.next_payload = payload_source(options, text);
    fields["messages"] = json::array({{{"topic", options.topic},
                                       {"payload", std::move(text)},
                                       {"qos", options.common.qos},
                                       {"retained", options.retained}}});
  } catch (const usage_error& e) {
    std::cerr << "mqttest pub: " << e.what() << '\n';
    return exit_usage;
  }
  return run_step_command("pub", fields, options.common,
                          {{"/messages/0/topic", "-t"},
                           {"/messages/0/qos", "-q"},
                           {"/timeout", "--timeout"}},
                          io);
}

}  // namespace mqttest
