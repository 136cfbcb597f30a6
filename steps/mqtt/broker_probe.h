#pragma once

#include <mqtt/properties.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "steps/mqtt/connection_options.h"

/// What a broker supports and how it behaves, found in a few round trips:
/// the MQTT versions it accepts, the capabilities its MQTT 5 CONNACK
/// declares, and what it does with QoS, retained messages, sessions, `$SYS`,
/// large payloads. `mqttest probe` prints it; `mqttest conformance` turns it
/// into the kit's variables. The document's shape is
/// schemas/probe.schema.json.

namespace mqttest {

struct probe_settings {
  std::string url;
  /// username, password, tls; protocol_version is set per attempt.
  connection_options connection;
  std::chrono::milliseconds connect_timeout{3000};
  /// Each SUBACK, PUBACK, delivery, ... is awaited at most this long.
  std::chrono::milliseconds timeout{2000};
  /// The probe's topics are <topic_root>/<random>/...: a broker with ACLs
  /// may allow only some topics.
  std::string topic_root = "mqttest/probe";
  /// The largest payload tried (bytes); the search stops there.
  std::size_t payload_cap = 256 * 1024;
  const std::atomic<bool>* interrupted = nullptr;
  /// Progress ("connecting with MQTT 5", ...) for a terminal; may be empty.
  std::function<void(std::string_view)> progress;
};

struct probe_outcome {
  nlohmann::json document;  ///< {"broker", "versions", "capabilities", "measured"}
  bool reached = false;     ///< some MQTT version was accepted
  std::string error;        ///< why not, when !reached
};

/// Probes settings.url. Never throws for broker problems: they are in the
/// document ("reason" of a version, "error" of a measurement).
probe_outcome probe_broker(const probe_settings& settings);

/// The capabilities an MQTT 5 CONNACK declares, the spec's defaults for
/// those it leaves out, and the names of those it sends ("declared").
nlohmann::json connack_capabilities(const mqtt::properties& connack);

}  // namespace mqttest
