// connack_capabilities: an MQTT 5 CONNACK's properties -> the probe's
// "capabilities" (schemas/probe.schema.json), with the spec's defaults.

#include "steps/mqtt/broker_probe.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using mqttest::connack_capabilities;
using nlohmann::json;
using code = mqtt::property::code;

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

TEST_CASE("connack_capabilities: every declared property, in order of the table") {
  mqtt::properties props;
  props.add(mqtt::property(code::MAXIMUM_QOS, 1));
  props.add(mqtt::property(code::RETAIN_AVAILABLE, 0));
  props.add(mqtt::property(code::WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
  props.add(mqtt::property(code::SHARED_SUBSCRIPTION_AVAILABLE, 0));
  props.add(mqtt::property(code::SUBSCRIPTION_IDENTIFIERS_AVAILABLE, 0));
  props.add(mqtt::property(code::TOPIC_ALIAS_MAXIMUM, 10));
  props.add(mqtt::property(code::RECEIVE_MAXIMUM, 20));
  props.add(mqtt::property(code::MAXIMUM_PACKET_SIZE, 4096));
  props.add(mqtt::property(code::SERVER_KEEP_ALIVE, 30));
  props.add(mqtt::property(code::SESSION_EXPIRY_INTERVAL, 600));
  json caps = connack_capabilities(props);
  CHECK(caps["maximum_qos"] == 1);
  CHECK(caps["retain_available"] == false);
  CHECK(caps["wildcard_subscription_available"] == false);
  CHECK(caps["shared_subscription_available"] == false);
  CHECK(caps["subscription_identifiers_available"] == false);
  CHECK(caps["topic_alias_maximum"] == 10);
  CHECK(caps["receive_maximum"] == 20);
  CHECK(caps["maximum_packet_size"] == 4096);
  CHECK(caps["server_keep_alive"] == 30);
  CHECK(caps["session_expiry_interval"] == 600);
  CHECK(caps["declared"] == json{"maximum_qos", "retain_available",
                                 "wildcard_subscription_available", "shared_subscription_available",
                                 "subscription_identifiers_available", "topic_alias_maximum",
                                 "receive_maximum", "maximum_packet_size", "server_keep_alive",
                                 "session_expiry_interval"});
}
