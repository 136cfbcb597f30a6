#pragma once

#include <mqtt/properties.h>

#include <nlohmann/json.hpp>
#include <string_view>

namespace mqttest {

/// The JSON key of an MQTT 5 property ("receiveMaximum", ...), "" when unknown.
std::string_view property_key(int identifier);

/// MQTT 5 properties as a JSON object: each property under its property_key,
/// numbers as numbers, strings and binary data as text (invalid UTF-8
/// escaped), repeated subscription identifiers as a list, user properties as
/// "userProperties": {name: value}.
nlohmann::json properties_json(const MQTTProperties& props);
nlohmann::json properties_json(const mqtt::properties& props);

/// The CONNACK a broker sent, as the result key `connack`:
/// {sessionPresent, reasonCode, properties} (properties stay {} on 3.1.1).
nlohmann::json connack_json(bool session_present, int reason_code, const MQTTProperties& props);
nlohmann::json connack_json(bool session_present, int reason_code, const mqtt::properties& props);

}  // namespace mqttest
