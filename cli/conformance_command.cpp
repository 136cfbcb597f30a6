#include "cli/conformance_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/probe_command.h"
#include "cli/run_command.h"
#include "executor/core/errors.h"
#include "executor/engine/report.h"
#include "executor/lang/vars.h"
#include "steps/mqtt/broker_probe.h"
#include "steps/mqtt/broker_url.h"
#include "steps/mqtt/local_broker.h"

namespace mqttest {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// The kit: --kit, else the installed one (<prefix>/share/mqttest/testsuites/conformance
/// beside <prefix>/bin/mqttest), else, in a development build, the source tree's.
std::string kit_directory(const std::string& given) {
  if (!given.empty()) {
    std::error_code ec;
    if (!fs::is_directory(given, ec))
      throw usage_error(fmt::format("--kit \"{}\": not a directory", given));
    return given;
  }
  std::vector<fs::path> candidates;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    candidates.push_back(self.parent_path().parent_path() / "share/mqttest/testsuites/conformance");
#ifdef MQTTEST_SOURCE_KIT
  candidates.emplace_back(MQTTEST_SOURCE_KIT);
#endif
  std::vector<std::string> looked;
  for (const fs::path& candidate : candidates) {
    if (fs::is_directory(candidate, ec)) return candidate.string();
    looked.push_back(candidate.string());
  }
  throw usage_error(fmt::format("no conformance kit found (looked in {}); give one with --kit DIR",
                                fmt::join(looked, ", ")));
}

std::string boolean(bool value) { return value ? "true" : "false"; }

/// What a skip on the variable means, for the closing line.
std::string feature_name(const std::string& variable) {
  static const std::map<std::string, std::string> names = {
      {"probe_v5", "MQTT 5"},
      {"probe_v311", "MQTT 3.1.1"},
      {"probe_max_qos", "QoS above the maximum"},
      {"probe_retain_available", "retained messages"},
      {"probe_wildcard_available", "wildcard subscriptions"},
      {"probe_shared_available", "shared subscriptions"},
      {"probe_subid_available", "subscription identifiers"},
      {"probe_topic_alias_max", "topic aliases"},
      {"probe_plain_tcp", "acknowledgements held back (tcp:// brokers only)"}};
  auto found = names.find(variable);
  return found == names.end() ? variable : found->second;
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

/// "MQTT 5, 3.1.1 accepted" for a probe document.
std::string accepted_versions(const json& probe) {
  std::vector<std::string> accepted;
  for (const char* version : {"5", "3.1.1", "3.1"})
    if (probe["versions"].contains(version) && probe["versions"][version].value("accepted", false))
      accepted.emplace_back(version);
  return fmt::format("MQTT {} accepted", fmt::join(accepted, ", "));
}

/// --local-broker: the probe reaches the private broker's TLS, password,
/// WebSocket and secure WebSocket listeners too (a line each unless quiet);
/// "" when all answered, else why not.
std::string probe_secure_listeners(const local_broker& broker, probe_settings settings,
                                   bool quiet) {
  std::map<std::string, std::string> vars = broker.variables();
  settings.payload_cap = 4 * 1024;
  auto with_ca = [&](const std::string& url) {
    probe_settings secure = settings;
    secure.url = url;
    secure.connection.tls = tls_options{};
    secure.connection.tls->ca_file = vars["ca_file"];
    return secure;
  };
  probe_settings auth = settings;
  auth.url = vars["auth_addrs"];
  auth.connection.username = vars["username"];
  auth.connection.password = vars["password"];
  probe_settings websocket = settings;
  websocket.url = vars["ws_addrs"];
  const std::pair<const char*, probe_settings> listeners[] = {
      {"TLS", with_ca(vars["tls_addrs"])},
      {"password", auth},
      {"WebSocket", websocket},
      {"secure WebSocket", with_ca(vars["wss_addrs"])}};
  for (const auto& [name, listener] : listeners) {
    probe_outcome probed = probe_broker(listener);
    if (!probed.reached)
      return fmt::format("the private broker's {} listener at {} cannot be used: {}", name,
                         listener.url, probed.error);
    if (!quiet)
      std::cout << fmt::format("{} listener {}: {}\n", name, listener.url,
                               accepted_versions(probed.document));
  }
  return "";
}

}  // namespace

std::map<std::string, std::string> probe_variables(const json& probe, const std::string& protocol) {
  auto accepted = [&](const char* version) {
    const json& versions = probe["versions"];
    return versions.contains(version) && versions[version].value("accepted", false);
  };
  std::map<std::string, std::string> vars;
  vars["probe_v5"] = boolean(accepted("5") && protocol != "3.1.1");
  vars["probe_v311"] = boolean(accepted("3.1.1") && protocol != "5");
  const json& caps = probe["capabilities"];
  if (caps.is_object()) {
    vars["probe_max_qos"] = caps["maximum_qos"].dump();
    vars["probe_retain_available"] = boolean(caps["retain_available"] == true);
    vars["probe_wildcard_available"] = boolean(caps["wildcard_subscription_available"] == true);
    vars["probe_shared_available"] = boolean(caps["shared_subscription_available"] == true);
    vars["probe_subid_available"] = boolean(caps["subscription_identifiers_available"] == true);
    vars["probe_topic_alias_max"] = caps["topic_alias_maximum"].dump();
  } else {
    // No MQTT 5 CONNACK declares anything: MQTT 3.1.1 has no such
    // declarations, and shared subscriptions, subscription identifiers and
    // topic aliases are MQTT 5 features.
    vars["probe_max_qos"] = "2";
    vars["probe_retain_available"] = "true";
    vars["probe_wildcard_available"] = "true";
    vars["probe_shared_available"] = "false";
    vars["probe_subid_available"] = "false";
    vars["probe_topic_alias_max"] = "0";
  }
  return vars;
}

std::string conformance_summary(const run_report& report, const std::string& protocol) {
  run_totals totals = report.totals();
  std::vector<std::string> unsupported;
  std::vector<std::string> not_selected;
  std::vector<std::string> not_given;
  std::vector<std::string> other;
  for (const suite_report& suite : report.suites)
    for (const case_report& c : suite.cases) {
      if (c.status != verdict::skipped) continue;
      const std::string& reason = c.skip_reason;
      auto at = reason.find("probe_");
      if (at == std::string::npos) {
        // `denied_filter ShouldNotBeEmpty: ...`: a variable only the user can give
        auto space = reason.find(' ');
        if (space != std::string::npos && reason.compare(space, 18, " ShouldNotBeEmpty:") == 0)
          add_unique(not_given, reason.substr(0, space));
        else
          add_unique(other, reason);
        continue;
      }
      auto end = reason.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_", at);
      std::string variable = reason.substr(at, end == std::string::npos ? end : end - at);
      bool deselected = (variable == "probe_v5" && protocol == "3.1.1") ||
                        (variable == "probe_v311" && protocol == "5");
      add_unique(deselected ? not_selected : unsupported, feature_name(variable));
    }
  std::vector<std::string> why;
  if (!unsupported.empty())
    why.push_back(fmt::format("not supported: {}", fmt::join(unsupported, ", ")));
  if (!not_selected.empty())
    why.push_back(
        fmt::format("not selected: {} (--protocol {})", fmt::join(not_selected, ", "), protocol));
  if (!not_given.empty())
    why.push_back(fmt::format("not given: {} (--var NAME=VALUE)", fmt::join(not_given, ", ")));
  if (!other.empty()) why.push_back(fmt::format("other: {}", fmt::join(other, "; ")));
  return fmt::format("{} of {} checks hold, {} skipped{}", totals.passed,
                     totals.passed + totals.failed, totals.skipped,
                     why.empty() ? "" : fmt::format(" ({})", fmt::join(why, "; ")));
}

void setup_conformance_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<conformance_command_options>();
  CLI::App* command = app.add_subcommand(
      "conformance",
      "Probe a broker, then run the conformance kit against it (checks cite the MQTT spec's "
      "statement ids)");
  add_connection_flags(*command, options->connection);
  command
      ->add_option("--protocol", options->protocol,
                   "Run only the checks of this MQTT version (default: every version the "
                   "broker accepts)")
      ->check(CLI::IsMember({"3.1.1", "5"}));
  command->add_option("--kit", options->kit,
                      "Directory of the kit's suites (default: the installed "
                      "share/mqttest/testsuites/conformance)");
  command->add_option("--output-dir", options->output_dir, "Directory for report files")
      ->capture_default_str();
  command
      ->add_option("--format", options->formats,
                   "Report files to write, comma-separated: junit,json,tap,yaml,html")
      ->delimiter(',')
      ->check(CLI::IsMember(reporter_names()));
  command->add_option("-j,--jobs", options->jobs,
                      "Run up to N suite files at once, each in its own process");
  command->add_flag("--local-broker", options->local_broker,
                    "Start a private mosquitto on a free loopback port and check it");
  command
      ->add_option("--connect-timeout", options->connect_timeout_ms,
                   "Milliseconds the probe waits for each CONNACK")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--topic-root", options->topic_root,
                   "The probe's topics are ROOT/<random>/... (for a broker whose ACL allows "
                   "only some topics)")
      ->capture_default_str();
  command->add_option("--var", options->vars,
                      "Set a kit variable, name=value (repeatable; wins over the probe's), e.g. "
                      "denied_filter=F: a filter the broker refuses to subscribe to");
  auto* verbose = command->add_flag("-v,--verbose", options->verbosity,
                                    "Show each step's result JSON; -vv also the MQTT traffic");
  command->add_flag("-q,--quiet", options->quiet, "Print only failed checks and the summary")
      ->excludes(verbose);
  command->footer(
      "Exit status: 0 every check held (skips allowed), 1 a check failed or the broker could\n"
      "not be used, 2 usage error (nothing ran), 130 interrupted (reports still written).");
  command->callback([options, &exit_status] { exit_status = conformance_command(*options); });
}

int conformance_command(const conformance_command_options& options) {
  const std::atomic<bool>& interrupted = install_interrupt_handler();
  std::string kit;
  probe_settings settings;
  try {
    if (options.local_broker &&
        (!options.connection.addrs.empty() || !options.connection.username.empty() ||
         options.connection.any_tls()))
      throw usage_error("--local-broker starts its own broker: give no --addrs, auth or TLS flags");
    kit = kit_directory(options.kit);
    external_vars({{}, {}, options.vars});  // a malformed --var fails before the probe
    probe_command_options probe_options;
    probe_options.connection = options.connection;
    probe_options.connect_timeout_ms = options.connect_timeout_ms;
    probe_options.max_payload = 64 * 1024;
    probe_options.topic_root = options.topic_root;
    settings = probe_settings_from(probe_options);
  } catch (const usage_error& e) {
    std::cerr << "mqttest conformance: " << e.what() << '\n';
    return exit_usage;
  }

  std::optional<local_broker> broker;
  if (options.local_broker) {
    try {
      broker_options with_listeners;  // TLS and password listeners too, checked below
      with_listeners.secure_listeners = true;
      broker.emplace(with_listeners);
    } catch (const std::exception& e) {
      if (interrupted.load()) return exit_interrupted;
      std::cerr << "mqttest conformance: --local-broker: " << e.what() << '\n';
      return exit_usage;
    }
    settings.url = broker->url();
  }
  settings.interrupted = &interrupted;

  probe_outcome probed = probe_broker(settings);
  if (interrupted.load()) return exit_interrupted;
  if (!options.quiet) std::cout << probe_table(probed.document) << '\n';
  if (!probed.reached) {
    std::cerr << fmt::format("mqttest conformance: cannot use the broker at {}: {}\n", settings.url,
                             probed.error);
    return exit_failed;
  }
  if (broker) {
    std::string why = probe_secure_listeners(*broker, settings, options.quiet);
    if (interrupted.load()) return exit_interrupted;
    if (!why.empty()) {
      std::cerr << "mqttest conformance: " << why << '\n';
      return exit_failed;
    }
  }
  const std::string& p = options.protocol;
  if (!p.empty() && probed.document["versions"][p == "5" ? "5" : "3.1.1"]["accepted"] != true) {
    std::cerr << fmt::format("mqttest conformance: the broker at {} does not accept MQTT {}: {}\n",
                             settings.url, p, probed.document["versions"][p].value("reason", ""));
    return exit_failed;
  }

  run_command_options run;
  run.paths = {kit};
  run.formats = options.formats;
  run.output_dir = options.output_dir;
  run.jobs = options.jobs;
  run.verbosity = options.verbosity;
  run.quiet = options.quiet;
  std::map<std::string, std::string> vars = probe_variables(probed.document, p);
  vars["addrs"] = settings.url;
  // holdAcks works on the plain MQTT byte stream only
  broker_url url = parse_broker_url(settings.url);
  vars["probe_plain_tcp"] = boolean(!url.tls && !url.websocket);
  const connection_flags& c = options.connection;
  vars["username"] = c.username;
  vars["password"] = c.password;
  vars["ca_file"] = c.ca_file;
  vars["cert_file"] = c.cert_file;
  vars["key_file"] = c.key_file;
  vars["insecure"] = boolean(c.insecure);
  if (broker)  // tls_addrs, auth_addrs, ca_file, username, password, ...
    for (const auto& [name, value] : broker->variables()) vars[name] = value;
  for (const auto& [name, value] : vars) run.vars.push_back(name + "=" + value);
  run.vars.insert(run.vars.end(), options.vars.begin(), options.vars.end());

  run_report report;
  int status = run_command(run, &report);
  if (status == exit_usage) return status;
  std::cout << conformance_summary(report, p) << '\n';
  return status;
}

}  // namespace mqttest
