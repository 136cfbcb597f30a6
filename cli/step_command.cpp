#include "cli/step_command.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/step_kinds.h"
#include "cli/interrupt.h"
#include "executor/assert/assertions.h"
#include "executor/core/errors.h"
#include "executor/engine/report.h"
#include "executor/engine/step_details.h"
#include "executor/engine/step_evaluation.h"
#include "steps/step.h"

namespace mqttest {
namespace {

using nlohmann::json;

constexpr std::string_view kDefaultAddrs = "tcp://localhost:1883";

/// The flag that set the field at `pointer` (longest matching prefix).
std::string flag_for(const flag_names& flags, const std::string& pointer) {
  const std::pair<std::string, std::string>* best = nullptr;
  for (const auto& entry : flags) {
    const std::string& prefix = entry.first;
    bool matches = pointer.compare(0, prefix.size(), prefix) == 0 &&
                   (pointer.size() == prefix.size() || pointer[prefix.size()] == '/');
    if (matches && (best == nullptr || prefix.size() > best->first.size())) best = &entry;
  }
  return best == nullptr ? std::string() : best->second;
}

flag_names with_common_flags(const flag_names& flags) {
  flag_names all = {{"/addrs", "--addrs"},
                    {"/clientId", "-i"},
                    {"/qos", "-q"},
                    {"/connectTimeout", "--connect-timeout"}};
  all.insert(all.end(), flags.begin(), flags.end());
  return all;
}

/// -v: every MQTT packet on stderr, "HH:MM:SS.mmm <line>". Paho's thread
/// reports arrivals, the step's thread the rest: one lock, one write a line.
std::function<void(std::string_view)> stderr_trace() {
  auto lock = std::make_shared<std::mutex>();
  return [lock](std::string_view line) {
    std::string text = format_trace_line(std::chrono::system_clock::now(), line) + "\n";
    std::lock_guard guard(*lock);
    std::fwrite(text.data(), 1, text.size(), stderr);
  };
}

std::vector<assertion> parse_assertions(const std::vector<std::string>& texts) {
  std::vector<assertion> parsed;
  for (std::size_t i = 0; i < texts.size(); ++i)
    parsed.push_back(parse_assertion_text(
        texts[i], position{texts.size() == 1 ? "--assert" : fmt::format("--assert #{}", i + 1)}));
  return parsed;
}

}  // namespace

std::string default_broker_url(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("MQTTEST_ADDRS");
  if (env != nullptr && *env != '\0') return env;
  return std::string(kDefaultAddrs);
}

void add_step_command_options(CLI::App& command, step_command_options& options) {
  command.add_option("--addrs", options.addrs,
                     fmt::format("Broker URL (default: $MQTTEST_ADDRS, else {})", kDefaultAddrs));
  command.add_option("-i,--id", options.client_id, "MQTT client id (default: mqttest-<random>)");
  command.add_option("-q,--qos", options.qos, "QoS 0, 1 or 2")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();
  command.add_option("--connect-timeout", options.connect_timeout_ms,
                     "Milliseconds to wait for CONNACK")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      .add_option("--assert", options.assertions,
                  "Suite assertion on the result, e.g. 'result.received ShouldEqual 2' "
                  "(repeatable; paths start at result.)")
      ->take_all()
      ->expected(1);
  command.add_flag("--pretty", options.pretty, "Indent the result JSON");
  command.add_flag("-v,--verbose", options.verbosity,
                   "Print the MQTT traffic with timestamps on stderr");
}

json common_step_fields(const step_command_options& options) {
  json fields{{"addrs", default_broker_url(options.addrs)},
              {"qos", options.qos},
              {"connectTimeout", options.connect_timeout_ms}};
  if (!options.client_id.empty()) fields["clientId"] = options.client_id;
  return fields;
}

int run_step_command(std::string_view command, const json& fields,
                     const step_command_options& options, const flag_names& flags) {
  const step_kind* kind = builtin_step_kinds().find("mqtt");
  flag_names all_flags = with_common_flags(flags);
  locate_fn locate = [&all_flags](const json::json_pointer& pointer) {
    return position{flag_for(all_flags, pointer.to_string())};
  };
  std::unique_ptr<step> runnable;
  std::vector<assertion> checks;
  try {
    checks = parse_assertions(options.assertions);
    runnable = kind->make(fields, locate);
  } catch (const config_error& e) {
    std::cerr << fmt::format("mqttest {}: {}\n", command, e.what());
    return exit_usage;
  }

  step_context context;
  const std::atomic<bool>& interrupted = install_interrupt_handler();
  context.interrupted = &interrupted;
  context.verbosity = options.verbosity;
  if (options.verbosity > 0) context.trace = stderr_trace();
  step_checks judged{checks, kind->default_assertion, {},
                     [](const std::string& text) { return text; }};
  step_report report = evaluate_step(*runnable, context, judged);

  std::cout << report.result.dump(options.pretty ? 2 : -1, ' ', false,
                                   json::error_handler_t::replace)
            << '\n';
  if (interrupted.load()) {
    std::cerr << fmt::format("mqttest {}: interrupted\n", command);
    return exit_interrupted;
  }
  if (report.passed()) return exit_passed;
  std::cerr << fmt::format("mqttest {}: failed\n{}", command, step_problems(report, "  "));
  return exit_failed;
}

}  // namespace mqttest
