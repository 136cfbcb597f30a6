// connack_capabilities: an MQTT 5 CONNACK's properties -> the probe's
// "capabilities" (schemas/probe.schema.json), with the spec's defaults.
// Declared values are checked against a real mosquitto in
// tests/integration/probe_command_test.cpp (a properties list built here
// with mqtt::property leaks inside Paho under LeakSanitizer).

#include "steps/mqtt/broker_probe.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using mqttest::connack_capabilities;
using nlohmann::json;

TEST_CASE("connack_capabilities: nothing declared is the spec's defaults") {
  json caps = connack_capabilities(mqtt::properties());
  CHECK(caps == json{{"maximum_qos", 2},
                     {"retain_available", true},
                     {"wildcard_subscription_available", true},
                     {"shared_subscription_available", true},
                     {"subscription_identifiers_available", true},
                     {"topic_alias_maximum", 0},
                     {"receive_maximum", 65535},
                     {"maximum_packet_size", nullptr},
                     {"server_keep_alive", nullptr},
                     {"session_expiry_interval", nullptr},
                     {"declared", json::array()}});
}
