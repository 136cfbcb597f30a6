#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "executor/core/position.h"
#include "steps/field_spec.h"
#include "steps/mqtt/codecs.h"
#include "steps/mqtt/connection_options.h"

namespace mqttest {

enum class client_type { publisher, subscriber, persistent_queue };

/// The fields of a `type: mqtt` step and their nested tables (messages,
/// `tls`, `will`, topic maps): one declaration drives the load-time checks,
/// the JSON Schema and the README's field reference.
const field_table& mqtt_step_table();
const field_table& mqtt_message_table();  ///< an entry of `messages` and of `publish`
const field_table& mqtt_tls_table();
const field_table& mqtt_will_table();
const field_table& mqtt_subscription_table();  ///< a map entry of `topics`
/// mqtt_step_table().fields
const std::vector<field_spec>& mqtt_step_fields();

struct mqtt_message_spec {
  std::string topic;
  std::string payload;  ///< the bytes to send
  int qos = 0;
  bool retained = false;
  message_properties properties;  ///< v5
};

struct mqtt_config {
  std::string addrs;
  mqttest::client_type type = client_type::subscriber;
  std::string client_id;  ///< generated when not given (except persistent_queue)
  bool persist_subscription = false;
  std::vector<std::string> topics;
  int qos = 0;
  int message_limit = 1;
  int timeout_ms = 5000;
  int connect_timeout_ms = 5000;
  std::vector<mqtt_message_spec> messages;
  connection_options connection;
  std::vector<subscription_spec> subscriptions;  ///< topics with their QoS and options
  codec decode = codec::json;
  std::optional<int> expect_no_more_ms;
  std::vector<mqtt_message_spec> publish;  ///< subscriber: sent after subscribing
  bool publish_from_self = false;          ///< publishFrom: self
  std::vector<std::string> unsubscribe;    ///< subscriber: unsubscribed after subscribing
};

/// Load-time check of unexpanded fields: values holding "{{" are not
/// type-checked. Throws config_error.
void validate_mqtt_config(const nlohmann::json& fields, const locate_fn& locate);

/// Checks expanded fields completely and returns them typed. Throws config_error.
mqtt_config parse_mqtt_config(const nlohmann::json& fields, const locate_fn& locate);

std::string_view to_string(client_type type);

}  // namespace mqttest
