#include "cli/probe_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "executor/core/errors.h"

namespace mqttest {
namespace {

using nlohmann::json;

std::string yes_no(const json& value) {
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_null()) return "-";
  return value.dump();
}

std::string or_text(const json& value, std::string_view absent) {
  if (value.is_null()) return std::string(absent);
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

void row(std::string& out, std::string_view name, std::string_view value) {
  out += fmt::format("  {:<36} {}\n", name, value);
}

void capability_rows(std::string& out, const json& caps) {
  auto declared = [&](const char* key) {
    for (const auto& name : caps["declared"])
      if (name == key) return true;
    return false;
  };
  auto cap = [&](const char* key, std::string_view name, std::string value) {
    row(out, name, value + (declared(key) ? "" : "  (not declared: the default)"));
  };
  cap("maximum_qos", "Maximum QoS", caps["maximum_qos"].dump());
  cap("retain_available", "Retain Available", yes_no(caps["retain_available"]));
  cap("wildcard_subscription_available", "Wildcard Subscription Available",
      yes_no(caps["wildcard_subscription_available"]));
  cap("shared_subscription_available", "Shared Subscription Available",
      yes_no(caps["shared_subscription_available"]));
  cap("subscription_identifiers_available", "Subscription Identifiers Available",
      yes_no(caps["subscription_identifiers_available"]));
  cap("topic_alias_maximum", "Topic Alias Maximum", caps["topic_alias_maximum"].dump());
  cap("receive_maximum", "Receive Maximum", caps["receive_maximum"].dump());
  cap("maximum_packet_size", "Maximum Packet Size",
      or_text(caps["maximum_packet_size"], "no limit"));
  cap("server_keep_alive", "Server Keep Alive", or_text(caps["server_keep_alive"], "the client's"));
  cap("session_expiry_interval", "Session Expiry Interval",
      or_text(caps["session_expiry_interval"], "the client's"));
  const json& assigned = caps["assigned_client_identifier"];
  row(out, "Assigned client id (empty id given)",
      assigned.value("accepted", false) ? or_text(assigned["assigned"], "accepted, none assigned")
                                        : "refused: " + assigned.value("reason", ""));
}

void measured_rows(std::string& out, const json& m) {
  if (m.contains("error")) {
    row(out, "error", m["error"].get<std::string>());
    return;
  }
  for (const char* level : {"0", "1", "2"}) {
    const json& q = m["qos"][level];
    std::string text = fmt::format("granted {}, delivered {}", or_text(q["granted"], "-"),
                                   or_text(q["delivered"], "nothing"));
    if (q.contains("error")) text += " (" + q["error"].get<std::string>() + ")";
    row(out, fmt::format("QoS {} subscribe + publish", level), text);
  }
  row(out, "Retained message delivered", yes_no(m["retained"]["delivered"]));
  const json& s = m["session"];
  row(out, "Session persists across a reconnect",
      s.contains("error")
          ? "error: " + s["error"].get<std::string>()
          : fmt::format("session present {}, queued message delivered {}",
                        yes_no(s["session_present"]), yes_no(s["queued_delivered"])));
  const json& sys = m["sys_topics"];
  row(out, "$SYS topics",
      sys["available"] == true ? "yes (" + sys["first_topic"].get<std::string>() + ")" : "no");
  const json& p = m["max_payload"];
  std::string payload =
      p["smallest_refused"].is_null()
          ? fmt::format("{} bytes and more (the cap; --max-payload searches further)",
                        p["largest_accepted"].dump())
          : fmt::format("{} bytes ({} refused)", p["largest_accepted"].dump(),
                        p["smallest_refused"].dump());
  row(out, "Largest payload accepted", payload);
  const json& r = m["round_trip"];
  row(out, "Round-trip time (QoS 0)",
      r["samples"] == 0 ? "not measured"
                        : fmt::format("{} ms median of {} (min {}, max {})", r["median_ms"].dump(),
                                      r["samples"].dump(), r["min_ms"].dump(), r["max_ms"].dump()));
}

}  // namespace

std::string probe_table(const json& document) {
  std::string out =
      fmt::format("broker {}\n\nMQTT versions\n", document["broker"].get<std::string>());
  for (const char* version : {"5", "3.1.1", "3.1"}) {
    if (!document["versions"].contains(version)) continue;
    const json& v = document["versions"][version];
    row(out, version,
        v["accepted"] == true ? "accepted" : "not accepted: " + v.value("reason", ""));
  }
  if (document["capabilities"].is_object()) {
    out += "\nMQTT 5 CONNACK capabilities\n";
    capability_rows(out, document["capabilities"]);
  }
  if (document["measured"].is_object()) {
    out +=
        fmt::format("\nMeasured (MQTT {})\n", document["measured"]["protocol"].get<std::string>());
    measured_rows(out, document["measured"]);
  }
  return out;
}

void setup_probe_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<probe_command_options>();
  CLI::App* probe = app.add_subcommand(
      "probe", "Report which MQTT versions and features a broker supports, and how it behaves");
  add_connection_flags(*probe, options->connection);
  probe->add_flag("--json", options->json,
                  "Print one JSON document (schemas/probe.schema.json) instead of the table");
  probe
      ->add_option("--connect-timeout", options->connect_timeout_ms,
                   "Milliseconds to wait for each CONNACK")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  probe
      ->add_option("--timeout", options->timeout_ms,
                   "Milliseconds to wait for each other answer (SUBACK, PUBACK, a delivery)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  probe
      ->add_option("--max-payload", options->max_payload,
                   "Largest payload (bytes) the payload-size search tries")
      ->check(CLI::Range(1LL, 256LL * 1024 * 1024))
      ->capture_default_str();
  probe
      ->add_option("--topic-root", options->topic_root,
                   "The probe's topics are ROOT/<random>/... (for a broker whose ACL allows "
                   "only some topics)")
      ->capture_default_str();
  probe->add_flag("-v,--verbose", options->verbose, "Print what is being probed on stderr");
  probe->footer(
      "Exit status: 0 the broker was reached (some MQTT version accepted), 1 it was not\n"
      "(the reason on stderr), 2 usage error (nothing ran), 130 interrupted.");
  probe->callback([options, &exit_status] { exit_status = probe_command(*options); });
}

probe_settings probe_settings_from(const probe_command_options& options) {
  probe_settings settings;
  settings.url = options.connection.url();
  settings.connection = connection_from_flags(options.connection);
  settings.connect_timeout = std::chrono::milliseconds(options.connect_timeout_ms);
  settings.timeout = std::chrono::milliseconds(options.timeout_ms);
  settings.payload_cap = static_cast<std::size_t>(options.max_payload);
  settings.topic_root = options.topic_root;
  if (settings.topic_root.empty() || settings.topic_root.find_first_of("+#") != std::string::npos)
    throw usage_error(fmt::format("--topic-root must be a topic without wildcards, got \"{}\"",
                                  settings.topic_root));
  while (!settings.topic_root.empty() && settings.topic_root.back() == '/')
    settings.topic_root.pop_back();
  if (options.verbose)
    settings.progress = [](std::string_view what) {
      std::string line = fmt::format("mqttest probe: {}\n", what);
      std::fwrite(line.data(), 1, line.size(), stderr);
    };
  return settings;
}

int probe_command(const probe_command_options& options) {
  probe_settings settings;
  try {
    settings = probe_settings_from(options);
  } catch (const usage_error& e) {
    std::cerr << "mqttest probe: " << e.what() << '\n';
    return exit_usage;
  }
  const std::atomic<bool>& interrupted = install_interrupt_handler();
  settings.interrupted = &interrupted;
  probe_outcome outcome = probe_broker(settings);
  if (interrupted.load()) {
    std::cerr << "mqttest probe: interrupted\n";
    return exit_interrupted;
  }
  if (!outcome.reached) outcome.document["error"] = outcome.error;
  if (options.json)
    std::cout << outcome.document.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  else
    std::cout << probe_table(outcome.document);
  if (outcome.reached) return exit_passed;
  std::cerr << fmt::format("mqttest probe: cannot use the broker at {}: {}\n", settings.url,
                           outcome.error);
  return exit_failed;
}

}  // namespace mqttest
