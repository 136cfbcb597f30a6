#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "executor/core/position.h"
#include "steps/mqtt/codecs.h"
#include "steps/mqtt/connection_options.h"

namespace mqttest {

enum class client_type { publisher, subscriber, persistent_queue };

enum class field_type {
  string,
  boolean,
  integer,
  string_list,
  message_list,
  client_type,
  map,         ///< a nested map with its own table (tls, will)
  string_map,  ///< name -> scalar (user properties)
  any,         ///< any YAML value (json:)
  topic_list,  ///< strings or {filter, qos, ...} maps
  choice,      ///< one of the words in range_expect
};

/// One accepted key of a `type: mqtt` step (or of one of its messages).
struct field_spec {
  std::string_view name;  ///< canonical spelling; keys match case-insensitively
  field_type type;
  nlohmann::json default_value;  ///< null: required or computed (see description)
  long long min = 0;             ///< integers only
  long long max = 0;
  std::string_view type_expect;   ///< "must be ..." when the type is wrong
  std::string_view range_expect;  ///< "must be ..." when out of range
  std::string_view description;
};

/// The step's fields, in documentation order.
const std::vector<field_spec>& mqtt_step_fields();
/// The keys of one entry of `messages` (and of `publish`).
const std::vector<field_spec>& mqtt_message_fields();
/// The keys of `tls`, of `will`, and of a map entry of `topics`.
const std::vector<field_spec>& mqtt_tls_fields();
const std::vector<field_spec>& mqtt_will_fields();
const std::vector<field_spec>& mqtt_subscription_fields();

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
};

/// Load-time check of unexpanded fields: values holding "{{" are not
/// type-checked. Throws config_error.
void validate_mqtt_config(const nlohmann::json& fields, const locate_fn& locate);

/// Checks expanded fields completely and returns them typed. Throws config_error.
mqtt_config parse_mqtt_config(const nlohmann::json& fields, const locate_fn& locate);

std::string_view to_string(client_type type);

}  // namespace mqttest
